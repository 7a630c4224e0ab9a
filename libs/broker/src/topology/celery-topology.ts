import type { Channel } from 'amqplib';
import { queueTypeArguments, type TaskQueueType } from './queue-type';

/**
 * Declares a task queue exactly as Celery does for a missing queue
 * (celery-protocol.md §B.10): a durable direct exchange named like the queue,
 * a durable queue, and the binding with the queue name as routing key; with
 * `quorum`, the queue is a quorum queue (Celery 5.5's
 * `task_default_queue_type`). Identical arguments matter: a mismatch closes
 * the channel with 406.
 */
export async function declareTaskQueue(
  channel: Channel,
  queue: string,
  type: TaskQueueType = 'classic',
): Promise<void> {
  await channel.assertExchange(queue, 'direct', {
    durable: true,
    autoDelete: false,
  });
  const queueArguments = queueTypeArguments(type);
  await channel.assertQueue(queue, {
    durable: true,
    autoDelete: false,
    exclusive: false,
    ...(queueArguments ? { arguments: queueArguments } : {}),
  });
  await channel.bindQueue(queue, queue, queue);
}
