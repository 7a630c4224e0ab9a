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

/** What the monitor keeps per task: Flower's dict plus the progress. */
export interface TaskRecord extends FlowerTask {
  progress: TaskProgress | null;
}

/** `celery.events.state.TASK_EVENT_TO_STATE`. */
const TASK_EVENT_TO_STATE: Record<string, string> = {
  sent: 'PENDING',
  received: 'RECEIVED',
  started: 'STARTED',
  failed: 'FAILURE',
  retried: 'RETRY',
  succeeded: 'SUCCESS',
  revoked: 'REVOKED',
  rejected: 'REJECTED',
};

/** `celery.states.PRECEDENCE`: earlier = later in a task's life; unknown states rank as None. */
const PRECEDENCE = [
  'SUCCESS',
  'FAILURE',
  null,
  'REVOKED',
  'STARTED',
  'RECEIVED',
  'REJECTED',
  'RETRY',
  'PENDING',
];

function precedence(state: string): number {
  const index = PRECEDENCE.indexOf(state);
  return index === -1 ? PRECEDENCE.indexOf(null) : index;
}

/** `Task.merge_rules`: what an out-of-order RECEIVED may still fill in. */
const RECEIVED_MERGE_FIELDS = new Set([
  'name',
  'args',
  'kwargs',
  'parent_id',
  'root_id',
  'retries',
  'eta',
  'expires',
]);

/** The event fields copied onto the task, as Celery's `Task.event` does. */
const EVENT_FIELDS = new Set<keyof FlowerTask>([
  'name',
  'args',
  'kwargs',
  'eta',
  'expires',
  'retries',
  'result',
  'exception',
  'runtime',
  'traceback',
  'exchange',
  'routing_key',
  'client',
  'root_id',
  'parent_id',
]);

/** The states after which nothing runs any more. */
export const READY_STATES = new Set(['SUCCESS', 'FAILURE', 'REVOKED']);

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

/**
 * Applies one `task-*` event to the task, as `celery.events.state.Task.event`
 * does: the `<kind>` timestamp is set; the state moves unless the event
 * happened logically before the current state (RETRY always moves it).
 *
 * @param task - modified in place
 * @param event - the event (its `type` is `task-<kind>`)
 */
export function applyTaskEvent(
  task: TaskRecord,
  event: Record<string, unknown> & { type: string; timestamp: number },
): void {
  const kind = event.type.slice('task-'.length);
  let state: string | undefined = TASK_EVENT_TO_STATE[kind];
  if (state !== undefined) {
    (task as unknown as Record<string, unknown>)[kind] = event.timestamp;
  } else {
    state = kind.toUpperCase();
  }
  const outOfOrder =
    state !== 'RETRY' &&
    task.state !== 'RETRY' &&
    precedence(state) > precedence(task.state);
  for (const [key, value] of Object.entries(event)) {
    if (!EVENT_FIELDS.has(key as keyof FlowerTask)) {
      continue;
    }
    // Out of order, RECEIVED may only fill in its merge fields; the others
    // still merge their fields, without moving the state.
    if (outOfOrder && state === 'RECEIVED' && !RECEIVED_MERGE_FIELDS.has(key)) {
      continue;
    }
    (task as unknown as Record<string, unknown>)[key] = value ?? null;
  }
  if (!outOfOrder) {
    task.state = state;
    task.timestamp = event.timestamp;
  }
  if (typeof event.clock === 'number') {
    task.clock = event.clock;
  }
  if (typeof event.hostname === 'string' && kind !== 'sent') {
    task.worker = event.hostname;
  }
  task.root = task.root_id;
  task.parent = task.parent_id;
}

/**
 * The task as the API returns it: Flower's dict, with `state` PROGRESS while
 * it runs and has reported progress, and the `progress` itself.
 */
export function presentTask(task: TaskRecord): TaskRecord {
  const running = task.progress !== null && !READY_STATES.has(task.state);
  return { ...task, state: running ? 'PROGRESS' : task.state };
}
