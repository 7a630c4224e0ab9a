import {
  READY_STATES,
  type FlowerTask,
  type TaskRecord,
} from '../contract/flower-task';

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
