/**
 * Task states exactly as Celery writes them in the `status` field of a
 * result (celery-protocol.md §C.3). `Progress` is the custom state a task
 * reports with its own meta.
 */
export enum TaskState {
  Pending = 'PENDING',
  Received = 'RECEIVED',
  Started = 'STARTED',
  Progress = 'PROGRESS',
  Retry = 'RETRY',
  Success = 'SUCCESS',
  Failure = 'FAILURE',
  Revoked = 'REVOKED',
}

/** States after which a task will not change any more (Celery's `READY_STATES`). */
export const READY_STATES: ReadonlySet<string> = new Set<string>([
  TaskState.Success,
  TaskState.Failure,
  TaskState.Revoked,
]);

/**
 * States whose `result` is an exception dict (Celery's `EXCEPTION_STATES`);
 * Python decodes it with `exception_to_python`.
 */
export const EXCEPTION_STATES: ReadonlySet<string> = new Set<string>([
  TaskState.Failure,
  TaskState.Retry,
  TaskState.Revoked,
]);

/**
 * Tells whether a status string is one of the ready states.
 *
 * @param state - a `status` value as stored, e.g. `'SUCCESS'`
 * @returns true for SUCCESS, FAILURE and REVOKED
 */
export function isReadyState(state: string): boolean {
  return READY_STATES.has(state);
}
