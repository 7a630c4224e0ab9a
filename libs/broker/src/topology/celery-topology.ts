import type { Channel } from 'amqplib';

/**
 * Declares a task queue exactly as Celery does for a missing queue
 * (celery-protocol.md §B.10): a durable direct exchange named like the queue,
 * a durable queue, and the binding with the queue name as routing key.
 * Identical arguments matter: a mismatch closes the channel with 406.
 */
export async function declareTaskQueue(
  channel: Channel,
  queue: string,
): Promise<void> {
  await channel.assertExchange(queue, 'direct', {
    durable: true,
    autoDelete: false,
  });
  await channel.assertQueue(queue, {
    durable: true,
    autoDelete: false,
    exclusive: false,
  });
  await channel.bindQueue(queue, queue, queue);
}
