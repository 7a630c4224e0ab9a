import { Controller, Get } from '@nestjs/common';
import { HealthCheck, HealthCheckService } from '@nestjs/terminus';
import {
  BrokerHealthIndicator,
  CeleryClient,
  CeleryServer,
} from '@celeriac/broker';
import { RedisHealthIndicator } from '@celeriac/results';

/**
 * Terminus probes on WORKER_HEALTH_PORT: live = the process answers;
 * ready = consuming from RabbitMQ, able to publish, and Redis answers.
 */
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly broker: BrokerHealthIndicator,
    private readonly server: CeleryServer,
    private readonly client: CeleryClient,
    private readonly redis: RedisHealthIndicator,
  ) {}

  @Get('live')
  @HealthCheck()
  live() {
    return this.health.check([]);
  }

  @Get('ready')
  @HealthCheck()
  ready() {
    return this.health.check([
      () => this.broker.isConnected('rabbitmq_consumer', this.server),
      () => this.broker.isConnected('rabbitmq_publisher', this.client),
      () => this.redis.pingCheck('redis'),
    ]);
  }
}
