import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { MetricsModule } from '@celeriac/config';
import { SeedTasksModule, TaskSystemModule } from '@celeriac/tasks';
import { HealthController } from './health/health.controller';
import { BeatMetrics } from './metrics/beat-metrics';
import { ScheduleFileSync } from './schedule-file.sync';
import { ScheduleProcessor } from './schedule.processor';

/**
 * beat: publishes delayed tasks and periodic ticks from the
 * `celeriac.schedule` BullMQ queue. Any number of replicas may run.
 */
@Module({
  // The seed tasks give their queues to periodic ticks that name none.
  // MetricsModule: GET /metrics (process metrics and BeatMetrics) on BEAT_HEALTH_PORT.
  imports: [
    TaskSystemModule.forApp('beat'),
    TerminusModule,
    MetricsModule,
    SeedTasksModule,
  ],
  controllers: [HealthController],
  providers: [ScheduleProcessor, ScheduleFileSync, BeatMetrics],
})
export class BeatModule {}
