import { Controller, Get } from '@nestjs/common';
import {
  HealthCheck,
  HealthCheckService,
  HealthIndicatorService,
} from '@nestjs/terminus';
import { BrokerHealthIndicator, CeleryClient } from '@celeriac/broker';
import { RedisHealthIndicator } from '@celeriac/results';
import { ScheduleProcessor } from '../schedule.processor';

/**
 * Terminus probes on BEAT_HEALTH_PORT: live = the process answers; ready =
 * able to publish to RabbitMQ, Redis answers, and the schedule worker runs.
 */
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly broker: BrokerHealthIndicator,
    private readonly client: CeleryClient,
    private readonly redis: RedisHealthIndicator,
    private readonly processor: ScheduleProcessor,
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
      () => this.broker.isConnected('rabbitmq_publisher', this.client),
      () => this.redis.pingCheck('redis'),
      () => {
        const indicator = this.indicators.check('schedule_worker');
        return this.processor.worker.isRunning()
          ? indicator.up()
          : indicator.down({ message: 'not processing celeriac.schedule' });
      },
    ]);
  }
}
