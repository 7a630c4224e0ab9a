import { type DynamicModule, Module } from '@nestjs/common';
import { CeleryServer } from '@celeriac/broker';
import { WorkerControl } from './control/worker-control';
import { TaskEvents } from './events/task-events';
import { TaskExecutor } from './execution/task.executor';
import { WorkerPoolModule } from './pool/worker-pool.module';
import { workerConsumerProvider } from './worker-consumer.provider';

/** Options of `WorkerEngineModule.forRoot`. */
export interface WorkerEngineModuleOptions {
  /** The built JS file a pool child runs (WORKER_POOL processes / threads). */
  childEntry: string;
}

/**
 * Everything only a worker runs: the executor, its pool, the remote
 * control, task events and the consumer (`CeleryServer`) that feeds them.
 * Needs `TaskSystemModule` in the app; the api, monitor and beat never
 * import it, so they build no part of the engine.
 */
@Module({})
export class WorkerEngineModule {
  static forRoot({ childEntry }: WorkerEngineModuleOptions): DynamicModule {
    return {
      module: WorkerEngineModule,
      imports: [WorkerPoolModule.forRoot({ childEntry })],
      providers: [
        TaskExecutor,
        TaskEvents,
        WorkerControl,
        workerConsumerProvider,
      ],
      exports: [TaskExecutor, TaskEvents, WorkerControl, CeleryServer],
    };
  }
}
