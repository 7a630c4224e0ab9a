import { Controller, Get, Header } from '@nestjs/common';
import { HealthCheck, HealthCheckService } from '@nestjs/terminus';
import { BrokerHealthIndicator, CeleryClient } from '@celeriac/broker';
import { RedisHealthIndicator } from '@celeriac/results';

const HEALTH_CHECK = { noCache: true, swaggerDocumentation: false };

/** Terminus probes: live = the process answers; ready = RabbitMQ and Redis are reachable. */
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly broker: BrokerHealthIndicator,
    private readonly client: CeleryClient,
    private readonly redis: RedisHealthIndicator,
  ) {}

  @Get('live')
  @HealthCheck(HEALTH_CHECK)
  live() {
    return this.health.check([]);
  }

  @Get('ready')
  @HealthCheck(HEALTH_CHECK)
  ready() {
    return this.health.check([
      () => this.broker.isConnected('rabbitmq', this.client),
      () => this.redis.pingCheck('redis'),
    ]);
  }
}

/** Flower's `/healthcheck`: `OK` while the process answers. */
@Controller('healthcheck')
export class HealthcheckController {
  @Get()
  @Header('Content-Type', 'text/plain; charset=utf-8')
  healthcheck(): string {
    return 'OK';
  }
}
