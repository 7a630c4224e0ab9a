import type { TaskMessage } from '@celeriac/broker';
import type { TaskCall } from '@celeriac/tasks';
import type { RunSignal } from '../execution/time-limits';

/** Provides the worker's `TaskRunner` when its pool is not the event loop. */
export const TASK_RUNNER = Symbol('TASK_RUNNER');

/**
 * Runs a task's handler somewhere other than the worker's event loop (a
 * pool child). The executor keeps admission, limits and settlement; the
 * runner only runs the handler and answers with its value or error.
 */
export interface TaskRunner {
  /** The handler's value; rejects with its error, or WorkerLostError. */
  run(
    call: TaskCall,
    message: TaskMessage,
    queue: string,
    signal: RunSignal,
  ): Promise<unknown>;
  /**
   * The worker stopped waiting for this task (hard time limit, revoke with
   * terminate): a child still running it is killed and replaced.
   */
  abandon(taskId: string): void;
  /** `pool` of `inspect stats`, as Celery's pools report it. */
  info(): Record<string, unknown>;
}
