import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { SeedTasksModule, TaskSystemModule } from '@celeriac/tasks';
import { HealthController } from './health/health.controller';
import { ScheduleFileSync } from './schedule-file.sync';
import { ScheduleProcessor } from './schedule.processor';

/**
 * beat: publishes delayed tasks and periodic ticks from the
 * `celeriac.schedule` BullMQ queue. Any number of replicas may run.
 */
@Module({
  // The seed tasks give their queues to periodic ticks that name none.
  imports: [TaskSystemModule.forApp('beat'), TerminusModule, SeedTasksModule],
  controllers: [HealthController],
  providers: [ScheduleProcessor, ScheduleFileSync],
})
export class BeatModule {}
