import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { BrokerModule, CeleryServer } from '@celeriac/broker';
import {
  CeleriacConfig,
  CeleriacConfigModule,
  CeleriacLoggerModule,
} from '@celeriac/config';
import { ResultsModule } from '@celeriac/results';
import { SeedTasksModule, TaskExecutor, TasksModule } from '@celeriac/tasks';
import { HealthController } from './health/health.controller';

/** The worker: consumes WORKER_QUEUES and runs the registered tasks. */
@Module({
  imports: [
    CeleriacConfigModule,
    CeleriacLoggerModule,
    TerminusModule,
    BrokerModule.forRootAsync({
      inject: [CeleriacConfig],
      useFactory: (config: CeleriacConfig) => ({
        url: config.broker.url,
        connectionName: `celeriac-worker-publisher ${config.worker.hostname}`,
      }),
    }),
    ResultsModule.forRootAsync({
      inject: [CeleriacConfig],
      useFactory: (config: CeleriacConfig) => ({
        url: config.results.url,
        expiresSeconds: config.results.expiresSeconds,
      }),
    }),
    TasksModule.forRootAsync({
      inject: [CeleriacConfig],
      useFactory: (config: CeleriacConfig) => ({
        defaultQueue: config.tasks.defaultQueue,
        timeScale: config.tasks.timeScale,
        hostname: config.worker.hostname,
      }),
    }),
    SeedTasksModule,
  ],
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
          connectionName: `celeriac-worker ${config.worker.hostname}`,
        }),
    },
  ],
})
export class WorkerModule {}
