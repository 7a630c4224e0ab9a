import { type DynamicModule, Module } from '@nestjs/common';
import { CeleryServer, LamportClock } from '@celeriac/broker';
import { TASKS_MODULE_OPTIONS, type TasksModuleOptions } from '@celeriac/tasks';
import { WorkerControl } from './control/worker-control';
import { WorkerPidbox } from './control/worker-pidbox';
import { TaskEvents } from './events/task-events';
import { WorkerEvents } from './events/worker-events';
import { WorkerHeartbeats } from './events/worker-heartbeats';
import { DeadLetters } from './execution/dead-letters';
import { EtaHolds } from './execution/eta-holds';
import { RequestAdmission } from './execution/request-admission';
import { Revocations } from './execution/revocations';
import { TaskExecutor } from './execution/task.executor';
import { TaskSettlement } from './execution/task-settlement';
import { TaskTracer } from './execution/task-tracer';
import { WorkerRequests } from './execution/worker-requests';
import { WorkerPoolModule } from './pool/worker-pool.module';
import { workerConsumerProvider } from './worker-consumer.provider';

/** Options of `WorkerEngineModule.forRoot`. */
export interface WorkerEngineModuleOptions {
  /** The built JS file a pool child runs (WORKER_POOL processes / threads). */
  childEntry: string;
}

/**
 * Everything only a worker runs: the executor (admission, tracer,
 * settlement), its pool, the remote control and its pidbox, task events,
 * the heartbeat, and the consumer (`CeleryServer`) that feeds them.
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
        RequestAdmission,
        EtaHolds,
        Revocations,
        TaskTracer,
        TaskSettlement,
        DeadLetters,
        {
          provide: WorkerRequests,
          inject: [TASKS_MODULE_OPTIONS],
          useFactory: ({ hostname }: TasksModuleOptions) =>
            new WorkerRequests(hostname),
        },
        TaskEvents,
        WorkerControl,
        // One logical clock for the node: pidbox replies and events share it.
        { provide: LamportClock, useFactory: () => new LamportClock() },
        WorkerPidbox,
        WorkerEvents,
        WorkerHeartbeats,
        workerConsumerProvider,
      ],
      exports: [TaskEvents, WorkerRequests, WorkerControl, CeleryServer],
    };
  }
}
