import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { CeleryServer } from '@celeriac/broker';
import { CeleriacConfig, MetricsModule } from '@celeriac/config';
import {
  TaskEvents,
  TaskExecutor,
  TaskSystemModule,
  WorkerControl,
  WorkerPoolModule,
} from '@celeriac/tasks';
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
    WorkerPoolModule.forRoot({ childEntry: poolChildEntry() }),
  ],
  controllers: [HealthController],
  providers: [
    WorkerControl,
    WorkerMetrics,
    LimitMetrics,
    {
      provide: CeleryServer,
      inject: [CeleriacConfig, TaskExecutor, WorkerControl, TaskEvents],
      useFactory: (
        config: CeleriacConfig,
        executor: TaskExecutor,
        control: WorkerControl,
        events: TaskEvents,
      ) => {
        const server = new CeleryServer({
          url: config.broker.url,
          queues: config.worker.queues,
          queueType: config.tasks.queueType,
          deliveryLimit: config.tasks.deliveryLimit,
          prefetch: config.worker.prefetch,
          dispatcher: executor,
          connectionName: `celeriac-worker-consumer ${config.worker.hostname}`,
          shutdownTimeoutMs: config.worker.shutdownTimeoutSeconds * 1000,
          control: {
            hostname: config.worker.hostname,
            handler: control.handle,
          },
          events: {
            hostname: config.worker.hostname,
            taskEvents: config.worker.sendEvents,
            counters: events.counters,
            onStart: (started) => events.attach(started),
          },
        });
        control.attachConsumer(server);
        return server;
      },
    },
  ],
})
export class WorkerModule {}
