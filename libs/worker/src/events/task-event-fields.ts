import { saferepr, type TaskMessage } from '@celeriac/broker';
import type { TaskEventSubject } from './task-events';

export function subjectOf({ headers }: TaskMessage): TaskEventSubject {
  return { id: headers.id, name: headers.task };
}

/** Celery's `task-received` fields (§D.3), besides `uuid`. */
export function receivedFields(message: TaskMessage): Record<string, unknown> {
  const { headers } = message;
  return {
    name: headers.task,
    args: headers.argsrepr ?? saferepr(message.args, null, true),
    kwargs: headers.kwargsrepr ?? saferepr(message.kwargs),
    root_id: headers.root_id ?? null,
    parent_id: headers.parent_id ?? null,
    retries: headers.retries,
    eta: headers.eta ?? null,
    expires: headers.expires ?? null,
  };
}
