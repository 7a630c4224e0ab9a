import type { Channel } from 'amqplib';
import { queueTypeArguments, type TaskQueueType } from './queue-type';

/** The exchange a worker republishes messages that can never run to. */
export const DEAD_LETTER_EXCHANGE = 'celeriac.dead-letter';

/** The durable queue that keeps dead letters until someone looks at them. */
export const DEAD_LETTER_QUEUE = 'celeriac.dead-letter';

/**
 * Declares the dead-letter topology: a durable fanout exchange and a durable
 * queue bound to it, with no arguments. The worker republishes rejected
 * messages there itself, because giving the task queues an
 * `x-dead-letter-exchange` argument would make Python Celery's own
 * declaration of the same queue fail with 406 PRECONDITION_FAILED (§B.10).
 * Fanout, so anyone can bind another queue to watch dead letters. Of the
 * task queues' type, so a quorum setup keeps its dead letters replicated.
 */
export async function declareDeadLetter(
  channel: Channel,
  type: TaskQueueType = 'classic',
): Promise<void> {
  await channel.assertExchange(DEAD_LETTER_EXCHANGE, 'fanout', {
    durable: true,
    autoDelete: false,
  });
  const queueArguments = queueTypeArguments(type);
  await channel.assertQueue(DEAD_LETTER_QUEUE, {
    durable: true,
    autoDelete: false,
    exclusive: false,
    ...(queueArguments ? { arguments: queueArguments } : {}),
  });
  await channel.bindQueue(DEAD_LETTER_QUEUE, DEAD_LETTER_EXCHANGE, '');
}
