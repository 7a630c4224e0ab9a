import type { TaskMessage } from '@celeriac/broker';
import type { StoreResultExtra } from '@celeriac/results';
import type { TaskOptions } from '@celeriac/tasks';

/** How one task run is acknowledged and recorded (Celery's per-task options). */
export interface RunPolicy {
  /** Ack after the outcome is stored (default), or before the task runs. */
  acksLate: boolean;
  /** Whether its result is stored at all (`ignore_result` turns it off). */
  store: boolean;
  /** Whether STARTED is written when it begins (`track_started`). */
  trackStarted: boolean;
}

/** @param trackStartedDefault - TasksModuleOptions.trackStarted */
export function runPolicyOf(
  definition: TaskOptions,
  message: TaskMessage,
  trackStartedDefault: boolean | undefined,
): RunPolicy {
  const store = !message.headers.ignore_result && !definition.ignoreResult;
  return {
    acksLate: definition.acksLate ?? true,
    store,
    trackStarted:
      store && (definition.trackStarted ?? trackStartedDefault ?? true),
  };
}

/** Group and parent, and Celery's `result_extended` fields. */
export function resultExtraOf(
  message: TaskMessage,
  hostname: string,
): StoreResultExtra {
  const { headers } = message;
  const extra: StoreResultExtra = {
    name: headers.task,
    args: message.args,
    kwargs: message.kwargs,
    worker: hostname,
    retries: headers.retries,
  };
  if (headers.group) {
    extra.groupId = headers.group;
  }
  if (headers.parent_id) {
    extra.parentId = headers.parent_id;
  }
  return extra;
}
