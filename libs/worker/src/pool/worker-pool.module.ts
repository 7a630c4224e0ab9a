import { type DynamicModule, Global, Module } from '@nestjs/common';
import { CeleriacConfig } from '@celeriac/config';
import { TASKS_MODULE_OPTIONS, type TasksModuleOptions } from '@celeriac/tasks';
import { ChildPool } from './child-pool';
import { TASK_RUNNER } from './task-runner';

/**
 * The built JS file a pool child runs. A provider of its own, so a test
 * that boots the worker in-process can start children that also boot its
 * test-only task modules.
 */
export const POOL_CHILD_ENTRY = Symbol('POOL_CHILD_ENTRY');

/** Where the worker's pool children start. */
export interface WorkerPoolModuleOptions {
  /** The built JS file a child runs (it boots the worker's task module). */
  childEntry: string;
}

/**
 * The worker's pool (WORKER_POOL): with `processes` or `threads`, a
 * `ChildPool` the executor hands its tasks to; with `event-loop`, nothing,
 * and tasks run on the worker's own loop. Global, so the executor finds it;
 * only the worker imports it (its children and the other apps do not).
 */
@Global()
@Module({})
export class WorkerPoolModule {
  static forRoot({ childEntry }: WorkerPoolModuleOptions): DynamicModule {
    return {
      module: WorkerPoolModule,
      providers: [
        { provide: POOL_CHILD_ENTRY, useValue: childEntry },
        {
          provide: TASK_RUNNER,
          inject: [CeleriacConfig, TASKS_MODULE_OPTIONS, POOL_CHILD_ENTRY],
          useFactory: (
            config: CeleriacConfig,
            tasks: TasksModuleOptions,
            entry: string,
          ) => {
            const { pool, concurrency, shutdownTimeoutSeconds } = config.worker;
            if (pool.kind === 'event-loop') {
              return null;
            }
            return new ChildPool({
              kind: pool.kind,
              entry,
              concurrency,
              maxTasksPerChild: pool.maxTasksPerChild,
              maxMemoryPerChildKib: pool.maxMemoryPerChildKib,
              timeouts: [tasks.softTimeLimit, tasks.timeLimit],
              shutdownTimeoutMs: shutdownTimeoutSeconds * 1000,
            });
          },
        },
      ],
      exports: [TASK_RUNNER],
    };
  }
}
