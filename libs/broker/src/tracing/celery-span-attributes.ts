import type { Attributes } from '@opentelemetry/api';
import type { TaskHeaders } from '../protocol/celery-message';

/**
 * The messaging semantic conventions' attributes (still incubating there,
 * hence spelled out) and the `celery.*` ones Python's Celery
 * instrumentation sets, for a task message on `queue`.
 *
 * @param action - `apply_async` (publish) or `run`, as celery.action
 */
export function celerySpanAttributes(
  headers: TaskHeaders,
  queue: string,
  action: 'apply_async' | 'run',
): Attributes {
  const attributes: Attributes = {
    'messaging.system': 'rabbitmq',
    'messaging.operation.type': action === 'run' ? 'process' : 'send',
    'messaging.operation.name': action === 'run' ? 'process' : 'publish',
    'messaging.destination.name': queue,
    'messaging.rabbitmq.destination.routing_key': queue,
    'messaging.message.id': headers.id,
    'celery.action': action,
    'celery.task_name': headers.task,
  };
  if (headers.retries > 0) {
    attributes['celery.retries'] = headers.retries;
  }
  if (headers.eta !== null) {
    attributes['celery.eta'] = headers.eta;
  }
  if (headers.parent_id !== null) {
    attributes['celery.parent_id'] = headers.parent_id;
  }
  if (headers.root_id && headers.root_id !== headers.id) {
    attributes['celery.root_id'] = headers.root_id;
  }
  if (headers.group !== null) {
    attributes['celery.group_id'] = headers.group;
  }
  return attributes;
}
