import { Controller, Get } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService } from '@nestjs/terminus';
import { BrokerHealthIndicator, CeleryClient } from '@celeriac/broker';
import { RedisHealthIndicator } from '@celeriac/results';

/** Terminus probes: live = the process answers; ready = RabbitMQ and Redis are reachable. */
@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly broker: BrokerHealthIndicator,
    private readonly client: CeleryClient,
    private readonly redis: RedisHealthIndicator,
  ) {}

  @Get('live')
  @HealthCheck()
  @ApiOperation({ summary: 'Liveness: the process is up' })
  live() {
    return this.health.check([]);
  }

  @Get('ready')
  @HealthCheck()
  @ApiOperation({ summary: 'Readiness: RabbitMQ and Redis are reachable' })
  ready() {
    return this.health.check([
      () => this.broker.isConnected('rabbitmq', this.client),
      () => this.redis.pingCheck('redis'),
    ]);
  }
}
