import type { Channel, Replies } from 'amqplib';
import { toAmqpHeaders } from '../protocol/amqp-headers';

/** Celery's broadcast exchange for remote control (`control_exchange` 'celery'). */
export const PIDBOX_EXCHANGE = 'celery.pidbox';

/** Where Celery clients wait for replies (`Mailbox.reply_exchange`). */
export const PIDBOX_REPLY_EXCHANGE = 'reply.celery.pidbox';

/** `control_queue_ttl`: a request nobody consumed for 300 s is dropped. */
export const PIDBOX_QUEUE_MESSAGE_TTL_MS = 300_000;

/** `control_queue_expires`: a node queue without consumers lives 10 s. */
export const PIDBOX_QUEUE_EXPIRES_MS = 10_000;

/**
 * The node's own mailbox queue, `<hostname>.celery.pidbox`
 * (kombu `Mailbox.get_queue`).
 *
 * @param hostname - the node name, e.g. `celeriac@host`
 */
export function pidboxQueueName(hostname: string): string {
  return `${hostname}.celery.pidbox`;
}

/**
 * Declares a node's mailbox exactly as a Celery 5.2.6 worker does
 * (celery-protocol.md §D.5 and `celery-wire/rabbitmq-topology-with-worker.txt`):
 * the non-durable fanout `celery.pidbox`, the node queue (non-durable,
 * auto-delete, not exclusive, with Celery's TTL and expiry) and its binding
 * with routing key `''`. Python workers and clients declare the same
 * entities, and RabbitMQ closes the channel (406) on any difference.
 *
 * @param channel - the channel to declare on
 * @param hostname - the node name
 * @returns the node queue's declare-ok: its name and current consumers
 */
export async function declarePidboxTopology(
  channel: Channel,
  hostname: string,
): Promise<Replies.AssertQueue> {
  const queue = pidboxQueueName(hostname);
  await channel.assertExchange(PIDBOX_EXCHANGE, 'fanout', {
    durable: false,
    autoDelete: false,
  });
  const declared = await channel.assertQueue(queue, {
    durable: false,
    autoDelete: true,
    // Celery 5.2.6 declares it exclusive=False (control_queue_exclusive came later).
    exclusive: false,
    // Typed as int32, the type py-amqp writes for these arguments.
    arguments: toAmqpHeaders({
      'x-message-ttl': PIDBOX_QUEUE_MESSAGE_TTL_MS,
      'x-expires': PIDBOX_QUEUE_EXPIRES_MS,
    }),
  });
  await channel.bindQueue(queue, PIDBOX_EXCHANGE, '');
  return declared;
}

/**
 * Declares a reply exchange as kombu's `Mailbox._publish_reply` does before
 * each reply: direct and non-durable. Publishing to a missing exchange would
 * close the channel (404), so this runs first.
 *
 * @param channel - the channel the reply goes out on
 * @param exchange - the request's `reply_to.exchange`, normally `reply.celery.pidbox`
 */
export async function declarePidboxReplyExchange(
  channel: Channel,
  exchange: string = PIDBOX_REPLY_EXCHANGE,
): Promise<void> {
  await channel.assertExchange(exchange, 'direct', {
    durable: false,
    autoDelete: false,
  });
}
