import type { Channel } from 'amqplib';
import type { TaskQueueType } from './queue-type';

/**
 * Celery 5.5's native delayed delivery (kombu's
 * `transport/native_delayed_delivery.py`), the topology a Celery 5.5 client
 * sends countdowns to quorum queues through. A countdown of N whole seconds
 * is written as 28 binary digits, most significant first, in front of the
 * routing key (`0.0.…1.0.1.<routing key>`). Level L (27 down to 0) is a topic
 * exchange `celery_delayed_L` and a queue of the same name whose messages
 * expire after 2^L s and are dead-lettered to level L-1: a message whose
 * digit for level L is 1 waits in that queue, one whose digit is 0 passes
 * straight to the next level's exchange. After level 0 it reaches the
 * `celery_delayed_delivery` topic exchange, which routes `#.<routing key>`
 * to the task queue.
 */
export const DELAYED_DELIVERY_BITS = 28;
export const DELAYED_DELIVERY_EXCHANGE = 'celery_delayed_delivery';
/** A delayed message is published here (the highest level). */
export const DELAYED_DELIVERY_ENTRY = levelName(DELAYED_DELIVERY_BITS - 1);
/** The longest countdown the topology can carry: 2^28 - 1 s (about 8.5 years). */
export const MAX_NATIVE_COUNTDOWN_SECONDS = 2 ** DELAYED_DELIVERY_BITS - 1;

const DELAYED_PREFIX = new RegExp(`^(?:[01]\\.){${DELAYED_DELIVERY_BITS}}`);

/** kombu's `level_name`: `celery_delayed_<level>`. */
export function levelName(level: number): string {
  if (!Number.isInteger(level) || level < 0) {
    throw new RangeError('level must be a non-negative integer');
  }
  return `celery_delayed_${level}`;
}

/**
 * kombu's `calculate_routing_key`: the countdown's 28 binary digits, each
 * followed by a dot, then the routing key (any delayed prefix it already
 * had is stripped first, so a retried message's key does not grow).
 *
 * @param countdownSeconds - whole seconds, 1 to 2^28 - 1
 */
export function delayedRoutingKey(
  countdownSeconds: number,
  routingKey: string,
): string {
  if (
    !Number.isInteger(countdownSeconds) ||
    countdownSeconds < 1 ||
    countdownSeconds > MAX_NATIVE_COUNTDOWN_SECONDS
  ) {
    throw new RangeError(
      `countdown must be whole seconds from 1 to ${MAX_NATIVE_COUNTDOWN_SECONDS}`,
    );
  }
  if (routingKey === '') {
    throw new RangeError('routing key must be non-empty');
  }
  const digits = countdownSeconds
    .toString(2)
    .padStart(DELAYED_DELIVERY_BITS, '0')
    .split('')
    .join('.');
  return `${digits}.${routingKey.replace(DELAYED_PREFIX, '')}`;
}

/** The routing key without its delayed-delivery prefix. */
export function undelayedRoutingKey(routingKey: string): string {
  return routingKey.replace(DELAYED_PREFIX, '');
}

/**
 * Declares the 28 levels and the delivery exchange exactly as kombu's
 * `declare_native_delayed_delivery_exchanges_and_queues` does (same names,
 * types, arguments and bindings), so celeriac and Celery 5.5 share them.
 * The level queues are quorum queues by default, as Celery's
 * `broker_native_delayed_delivery_queue_type`.
 */
export async function declareNativeDelayedDelivery(
  channel: Channel,
  queueType: TaskQueueType = 'quorum',
): Promise<void> {
  let waitKey = '1.#';
  for (let level = DELAYED_DELIVERY_BITS - 1; level >= 0; level -= 1) {
    const name = levelName(level);
    await channel.assertExchange(name, 'topic', {
      durable: true,
      autoDelete: false,
    });
    await channel.assertQueue(name, {
      durable: true,
      autoDelete: false,
      exclusive: false,
      arguments: {
        'x-queue-type': queueType,
        'x-overflow': 'reject-publish',
        'x-message-ttl': 2 ** level * 1000,
        'x-dead-letter-exchange':
          level > 0 ? levelName(level - 1) : DELAYED_DELIVERY_EXCHANGE,
        ...(queueType === 'quorum'
          ? { 'x-dead-letter-strategy': 'at-least-once' }
          : {}),
      },
    });
    await channel.bindQueue(name, name, waitKey);
    waitKey = `*.${waitKey}`;
  }
  let passKey = '0.#';
  for (let level = DELAYED_DELIVERY_BITS - 1; level > 0; level -= 1) {
    await channel.bindExchange(levelName(level - 1), levelName(level), passKey);
    passKey = `*.${passKey}`;
  }
  await channel.assertExchange(DELAYED_DELIVERY_EXCHANGE, 'topic', {
    durable: true,
    autoDelete: false,
  });
  await channel.bindExchange(DELAYED_DELIVERY_EXCHANGE, levelName(0), passKey);
}

/**
 * Lets delayed messages for `routingKey` reach the queue: binds it to the
 * delivery exchange with `#.<routing key>`. kombu binds the queue's own
 * exchange instead and skips direct exchanges (a direct exchange matches no
 * `#` pattern); celeriac's task exchanges are direct, as Celery's default,
 * so the queue itself is bound, which needs no change to its exchange and
 * keeps Celery 5.2 clients' declarations of it valid.
 */
export async function bindQueueToDelayedDelivery(
  channel: Channel,
  queue: string,
  routingKey: string = queue,
): Promise<void> {
  const pattern = routingKey.startsWith('#') ? routingKey : `#.${routingKey}`;
  await channel.bindQueue(queue, DELAYED_DELIVERY_EXCHANGE, pattern);
}
