import type { Channel } from 'amqplib';
import {
  declarableArguments,
  queueTypeArguments,
  type TaskQueueType,
} from './queue-type';

/**
 * A task queue as a Celery worker knows it (kombu's `Queue` with its
 * `Exchange`): what the worker declares and what `active_queues` reports.
 */
export interface TaskQueue {
  name: string;
  exchange: {
    name: string;
    type: string;
    durable: boolean;
    autoDelete: boolean;
  };
  routingKey: string;
  durable: boolean;
  exclusive: boolean;
  autoDelete: boolean;
  queueArguments: Record<string, unknown> | null;
}

/**
 * The queue Celery creates for a missing name (`task_create_missing_queues`,
 * celery-protocol.md §B.10): a durable direct exchange named like the
 * queue, a durable queue, bound with the queue name as routing key; a
 * quorum queue with `quorum` (`task_default_queue_type`).
 *
 * @param name - the queue name
 */
export function defaultTaskQueue(
  name: string,
  type: TaskQueueType = 'classic',
): TaskQueue {
  return {
    name,
    exchange: { name, type: 'direct', durable: true, autoDelete: false },
    routingKey: name,
    durable: true,
    exclusive: false,
    autoDelete: false,
    queueArguments: queueTypeArguments(type),
  };
}

const EXCHANGE_TYPES = new Set(['direct', 'topic', 'fanout', 'headers']);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function optionalBoolean(
  options: Record<string, unknown>,
  key: string,
  fallback: boolean,
): boolean | string {
  const value = options[key];
  if (value === undefined || value === null) {
    return fallback;
  }
  return typeof value === 'boolean' ? value : `${key} must be a boolean`;
}

/**
 * The queue of a pidbox `add_consumer` request, read as Celery's
 * `Consumer.add_task_queue` reads it: the exchange defaults to the queue
 * name, its type to `direct`, the routing key to the queue name
 * (`Queues.add_compat`); `durable`, `exclusive`, `auto_delete`,
 * `exchange_durable` and `queue_arguments` are taken from the options.
 *
 * @param args - the request's arguments
 * @returns the queue, or a sentence saying what is wrong
 */
export function taskQueueFromControl(
  args: Record<string, unknown>,
): TaskQueue | string {
  const { queue, exchange, exchange_type: type, routing_key: key } = args;
  if (typeof queue !== 'string' || queue === '') {
    return 'add_consumer needs queue, a queue name';
  }
  for (const [name, value] of Object.entries({
    exchange,
    exchange_type: type,
    routing_key: key,
  })) {
    if (value !== undefined && value !== null && typeof value !== 'string') {
      return `${name} must be a string`;
    }
  }
  const exchangeType = typeof type === 'string' ? type : 'direct';
  if (!EXCHANGE_TYPES.has(exchangeType)) {
    return `exchange_type must be one of ${[...EXCHANGE_TYPES].join(', ')}`;
  }
  const queueArguments = args.queue_arguments ?? null;
  if (queueArguments !== null && !isRecord(queueArguments)) {
    return 'queue_arguments must be an object';
  }
  const durable = optionalBoolean(args, 'durable', true);
  const exclusive = optionalBoolean(args, 'exclusive', false);
  const autoDelete = optionalBoolean(args, 'auto_delete', false);
  const exchangeDurable = optionalBoolean(args, 'exchange_durable', true);
  for (const flag of [durable, exclusive, autoDelete, exchangeDurable]) {
    if (typeof flag === 'string') {
      return flag;
    }
  }
  return {
    name: queue,
    exchange: {
      name: typeof exchange === 'string' ? exchange : queue,
      type: exchangeType,
      durable: exchangeDurable as boolean,
      autoDelete: false,
    },
    routingKey: typeof key === 'string' && key !== '' ? key : queue,
    durable: durable as boolean,
    exclusive: exclusive as boolean,
    autoDelete: autoDelete as boolean,
    queueArguments,
  };
}

/**
 * Declares the queue, its exchange and the binding as kombu's
 * `Queue.declare` does. The default exchange (`''`) is neither declared nor
 * bound. Identical arguments matter: a mismatch closes the channel (406).
 * Arguments a quorum queue refuses (`x-max-priority`) are left out.
 *
 * @param channel - the channel to declare on
 * @param queue - what to declare
 * @returns the arguments left out
 */
export async function declareQueue(
  channel: Channel,
  queue: TaskQueue,
): Promise<string[]> {
  const { exchange } = queue;
  const declarable = declarableArguments(queue.queueArguments);
  if (exchange.name !== '') {
    await channel.assertExchange(exchange.name, exchange.type, {
      durable: exchange.durable,
      autoDelete: exchange.autoDelete,
    });
  }
  await channel.assertQueue(queue.name, {
    durable: queue.durable,
    autoDelete: queue.autoDelete,
    exclusive: queue.exclusive,
    ...(declarable.arguments ? { arguments: declarable.arguments } : {}),
  });
  if (exchange.name !== '') {
    await channel.bindQueue(queue.name, exchange.name, queue.routingKey);
  }
  return declarable.dropped;
}

/**
 * kombu's `Queue.as_dict(recurse=True)`, the shape of each entry of
 * Celery's `active_queues` reply (§D.7), key for key.
 *
 * @param queue - a queue the worker consumes
 */
export function queueAsDict(queue: TaskQueue): Record<string, unknown> {
  return {
    name: queue.name,
    exchange: {
      name: queue.exchange.name,
      type: queue.exchange.type,
      arguments: null,
      durable: queue.exchange.durable,
      passive: false,
      auto_delete: queue.exchange.autoDelete,
      delivery_mode: null,
      no_declare: false,
    },
    routing_key: queue.routingKey,
    queue_arguments: queue.queueArguments,
    binding_arguments: null,
    consumer_arguments: null,
    durable: queue.durable,
    exclusive: queue.exclusive,
    auto_delete: queue.autoDelete,
    no_ack: false,
    alias: null,
    bindings: [],
    no_declare: null,
    expires: null,
    message_ttl: null,
    max_length: null,
    max_length_bytes: null,
    max_priority: null,
  };
}
