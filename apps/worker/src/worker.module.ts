import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { MetricsModule } from '@celeriac/config';
import { TaskSystemModule } from '@celeriac/tasks';
import { WorkerEngineModule } from '@celeriac/worker';
import { HealthController } from './health/health.controller';
import { LimitMetrics } from './metrics/limit-metrics';
import { WorkerMetrics } from './metrics/worker-metrics';
import { poolChildEntry } from './pool-child-entry';
import { WorkerTasksModule } from './worker-tasks.module';

/** The worker: consumes WORKER_QUEUES and runs the registered tasks. */
@Module({
  imports: [
    TaskSystemModule.forApp('worker'),
    TerminusModule,
    MetricsModule,
    WorkerTasksModule,
    WorkerEngineModule.forRoot({ childEntry: poolChildEntry() }),
  ],
  controllers: [HealthController],
  providers: [WorkerMetrics, LimitMetrics],
})
export class WorkerModule {}
