/**
 * Celery's `task_default_queue_type`: `classic` queues, or `quorum` queues
 * (replicated with Raft across a RabbitMQ cluster; the only replicated queue
 * type left in RabbitMQ 4.0).
 */
export type TaskQueueType = 'classic' | 'quorum';

export const TASK_QUEUE_TYPES: readonly TaskQueueType[] = ['classic', 'quorum'];

/**
 * Arguments quorum queues refuse or ignore. RabbitMQ 3.10 quorum queues have
 * no priorities (a declaration with `x-max-priority` fails with 406);
 * RabbitMQ 4.0 ignores the argument and knows two levels (priority > 4 first).
 */
const NOT_FOR_QUORUM = ['x-max-priority'];

/**
 * The queue arguments of a task queue of this type, as Celery 5.5 declares
 * them: none for classic, `x-queue-type: quorum` for quorum.
 *
 * @example
 * queueTypeArguments('quorum'); // { 'x-queue-type': 'quorum' }
 */
export function queueTypeArguments(
  type: TaskQueueType,
): Record<string, unknown> | null {
  return type === 'quorum' ? { 'x-queue-type': 'quorum' } : null;
}

/** Whether the queue arguments make a quorum queue. */
export function isQuorum(
  queueArguments: Record<string, unknown> | null,
): boolean {
  return queueArguments?.['x-queue-type'] === 'quorum';
}

/**
 * The arguments as they can be declared: for a quorum queue, without those
 * quorum queues refuse (`x-max-priority`), so `add_consumer` with a priority
 * queue does not close the channel; `dropped` names what was left out.
 */
export function declarableArguments(
  queueArguments: Record<string, unknown> | null,
): { arguments: Record<string, unknown> | null; dropped: string[] } {
  if (!queueArguments || !isQuorum(queueArguments)) {
    return { arguments: queueArguments, dropped: [] };
  }
  const kept = Object.fromEntries(
    Object.entries(queueArguments).filter(
      ([key]) => !NOT_FOR_QUORUM.includes(key),
    ),
  );
  const dropped = Object.keys(queueArguments).filter((key) =>
    NOT_FOR_QUORUM.includes(key),
  );
  return { arguments: kept, dropped };
}

/**
 * Celery 5.5's `worker_detect_quorum_queues`: quorum queues refuse global
 * (per-channel) QoS, so a channel consuming any of them sets its prefetch
 * per consumer instead.
 */
export function usesGlobalQos(
  queues: Iterable<{ queueArguments: Record<string, unknown> | null }>,
): boolean {
  for (const queue of queues) {
    if (isQuorum(queue.queueArguments)) {
      return false;
    }
  }
  return true;
}
