/**
 * The task the monitor sends and the dashboard reads: Flower's task dict plus
 * celeriac's progress. Pure (no Nest, no Node, no DOM): the dashboard bundles
 * it too.
 */

/** Celery's states, plus celeriac's PROGRESS (a custom state, as in Celery). */
export const TASK_STATES = [
  'PENDING',
  'RECEIVED',
  'STARTED',
  'PROGRESS',
  'RETRY',
  'SUCCESS',
  'FAILURE',
  'REVOKED',
  'REJECTED',
] as const;

export type KnownTaskState = (typeof TASK_STATES)[number];

/** Celery's `READY_STATES`: after these nothing runs any more. */
export const READY_STATES: ReadonlySet<string> = new Set([
  'SUCCESS',
  'FAILURE',
  'REVOKED',
]);

export function isReadyState(state: string): boolean {
  return READY_STATES.has(state);
}

/**
 * A task as Flower shows it: the fields of Celery's `celery.events.state.Task`
 * (`Task._fields`, `as_dict`), built from task events. Timestamps are Unix
 * seconds; `args`, `kwargs`, `result` and `exception` are the repr strings
 * the events carry.
 */
export interface FlowerTask {
  uuid: string;
  name: string | null;
  state: string;
  received: number | null;
  sent: number | null;
  started: number | null;
  rejected: number | null;
  succeeded: number | null;
  failed: number | null;
  retried: number | null;
  revoked: number | null;
  args: string | null;
  kwargs: string | null;
  eta: string | null;
  expires: string | null;
  retries: number | null;
  result: string | null;
  exception: string | null;
  timestamp: number | null;
  runtime: number | null;
  traceback: string | null;
  exchange: string | null;
  routing_key: string | null;
  clock: number;
  client: string | null;
  root: string | null;
  root_id: string | null;
  parent: string | null;
  parent_id: string | null;
  children: string[];
  worker: string | null;
}

/** Progress a task reported with `update_state(state='PROGRESS', meta=...)`. */
export interface TaskProgress {
  current: number;
  total: number;
}

/**
 * What the monitor keeps and sends per task (`/api/tasks`, `/api/task/info`,
 * the SSE `task` event): Flower's dict plus the progress.
 */
export interface TaskRecord extends FlowerTask {
  progress: TaskProgress | null;
}

/** A task nobody has reported on yet. */
export function emptyTask(uuid: string): TaskRecord {
  return {
    uuid,
    name: null,
    state: 'PENDING',
    received: null,
    sent: null,
    started: null,
    rejected: null,
    succeeded: null,
    failed: null,
    retried: null,
    revoked: null,
    args: null,
    kwargs: null,
    eta: null,
    expires: null,
    retries: null,
    result: null,
    exception: null,
    timestamp: null,
    runtime: null,
    traceback: null,
    exchange: null,
    routing_key: null,
    clock: 0,
    client: null,
    root: null,
    root_id: null,
    parent: null,
    parent_id: null,
    children: [],
    worker: null,
    progress: null,
  };
}
