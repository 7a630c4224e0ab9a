import {
  type CanvasEventField,
  canvasFieldOf,
  saferepr,
  type TaskMessage,
} from '@celeriac/broker';
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
    // celeriac's extension: where the task sits in its canvas, so a monitor
    // can draw the steps not started yet (Flower ignores the field).
    ...withCanvas(message),
  };
}

function withCanvas(message: TaskMessage): { canvas?: CanvasEventField } {
  const canvas = canvasFieldOf(message);
  return canvas ? { canvas } : {};
}
