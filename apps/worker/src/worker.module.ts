import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { CeleryServer } from '@celeriac/broker';
import { CeleriacConfig } from '@celeriac/config';
import {
  SeedTasksModule,
  TaskExecutor,
  TaskSystemModule,
} from '@celeriac/tasks';
import { HealthController } from './health/health.controller';

/** The worker: consumes WORKER_QUEUES and runs the registered tasks. */
@Module({
  imports: [TaskSystemModule.forApp('worker'), TerminusModule, SeedTasksModule],
  controllers: [HealthController],
  providers: [
    {
      provide: CeleryServer,
      inject: [CeleriacConfig, TaskExecutor],
      useFactory: (config: CeleriacConfig, executor: TaskExecutor) =>
        new CeleryServer({
          url: config.broker.url,
          queues: config.worker.queues,
          prefetch: config.worker.concurrency,
          dispatcher: executor,
          connectionName: `celeriac-worker-consumer ${config.worker.hostname}`,
          shutdownTimeoutMs: config.worker.shutdownTimeoutSeconds * 1000,
        }),
    },
  ],
})
export class WorkerModule {}
