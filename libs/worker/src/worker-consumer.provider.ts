import type { Provider } from '@nestjs/common';
import { CeleryServer } from '@celeriac/broker';
import { CeleriacConfig } from '@celeriac/config';
import { WorkerControl } from './control/worker-control';
import { TaskEvents } from './events/task-events';
import { TaskExecutor } from './execution/task.executor';

/**
 * The worker's consumer: a `CeleryServer` on WORKER_QUEUES that hands each
 * delivery to the executor, answers the remote control and sends events.
 * main.ts connects it as the app's microservice strategy.
 */
export const workerConsumerProvider: Provider = {
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
};
