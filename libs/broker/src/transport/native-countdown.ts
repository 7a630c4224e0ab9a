import type { TaskMessage } from '../protocol/celery-message';
import {
  delayedRoutingKey,
  MAX_NATIVE_COUNTDOWN_SECONDS,
} from '../topology/native-delayed-delivery';

/**
 * How a countdown (a task with an ETA) leaves the publisher
 * (TASK_COUNTDOWN_DELIVERY): `beat` publishes it at once or hands a far one
 * to beat's BullMQ queue, as before; `native` routes it through RabbitMQ's
 * delayed-delivery levels (Celery 5.5's native delayed delivery).
 */
export type CountdownDelivery = 'beat' | 'native';

export const COUNTDOWN_DELIVERIES: readonly CountdownDelivery[] = [
  'beat',
  'native',
];

/**
 * The routing key a task goes through the delayed-delivery levels with, or
 * undefined to publish it straight to its queue: no ETA, or less than a
 * whole second away. As Celery 5.5, the countdown is truncated to whole
 * seconds, so the message may arrive up to a second early; the worker then
 * holds it until its ETA, which stays in the message.
 */
export function nativeDelayRoutingKey(
  message: TaskMessage,
  queue: string,
  nowMs: number = Date.now(),
): string | undefined {
  const eta = message.headers.eta;
  if (eta === null || eta === undefined) {
    return undefined;
  }
  const due = Date.parse(eta);
  if (Number.isNaN(due)) {
    return undefined;
  }
  const seconds = Math.min(
    Math.floor((due - nowMs) / 1000),
    MAX_NATIVE_COUNTDOWN_SECONDS,
  );
  return seconds >= 1 ? delayedRoutingKey(seconds, queue) : undefined;
}
