import type { Provider } from '@nestjs/common';
import { CeleryServer } from '@celeriac/broker';
import { CeleriacConfig } from '@celeriac/config';
import { WorkerControl } from './control/worker-control';
import { WorkerPidbox } from './control/worker-pidbox';
import { WorkerEvents } from './events/worker-events';
import { WorkerHeartbeats } from './events/worker-heartbeats';
import { TaskExecutor } from './execution/task.executor';

/**
 * The worker's consumer: a `CeleryServer` on WORKER_QUEUES that hands each
 * delivery to the executor, with the pidbox, the event dispatcher and the
 * heartbeat on its connection. main.ts connects it as the app's
 * microservice strategy.
 */
export const workerConsumerProvider: Provider = {
  provide: CeleryServer,
  inject: [
    CeleriacConfig,
    TaskExecutor,
    WorkerControl,
    WorkerPidbox,
    WorkerEvents,
    WorkerHeartbeats,
  ],
  useFactory: (
    config: CeleriacConfig,
    executor: TaskExecutor,
    control: WorkerControl,
    pidbox: WorkerPidbox,
    events: WorkerEvents,
    heartbeats: WorkerHeartbeats,
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
      // In this order: the heartbeat needs the event dispatcher.
      companions: [pidbox, events, heartbeats],
    });
    control.attachConsumer(server);
    return server;
  },
};
