import type { MessageProperties, Options } from 'amqplib';
import { toAmqpHeaders } from './amqp-headers';

/** A delivered message that can never run, on its way to the dead-letter exchange. */
export interface DeadLetter {
  /** The body as delivered; it is republished byte for byte. */
  content: Buffer;
  /** The AMQP properties as amqplib delivered them. */
  properties: MessageProperties;
  /** Why it can never run (`x-celeriac-reason`). */
  reason: string;
  /** The queue it was consumed from (`x-celeriac-queue`). */
  queue: string;
  /** The task id, when the headers had one. */
  taskId?: string;
  /** The task name, when the headers had one. */
  task?: string;
}

/** The headers a dead letter carries besides the original ones. */
export const DEAD_LETTER_HEADERS = {
  reason: 'x-celeriac-reason',
  queue: 'x-celeriac-queue',
  deadLetteredAt: 'x-celeriac-dead-lettered-at',
  originalExpiration: 'x-celeriac-original-expiration',
} as const;

// userId is left out: RabbitMQ refuses (406, closing the channel) a user-id
// that is not the publishing connection's user, and ours rarely is.
const STRING_PROPERTIES = [
  'contentType',
  'contentEncoding',
  'correlationId',
  'replyTo',
  'messageId',
  'type',
  'appId',
] as const;
const NUMBER_PROPERTIES = ['priority', 'timestamp'] as const;

/**
 * The original headers, integers re-wrapped as int32 (§B.11) so Celery's
 * `retries`, `timelimit`... still decode in py-amqp, plus the reason, the
 * source queue, the time and, when the message had one, its expiration.
 * Byte-array headers stay Buffers, so they go back out as byte arrays.
 *
 * @example
 * deadLetterHeaders({ content, properties, reason: 'unknown task', queue: 'celery' }, new Date())
 */
export function deadLetterHeaders(
  letter: DeadLetter,
  deadLetteredAt: Date,
): Record<string, unknown> {
  const expiration: unknown = letter.properties.expiration;
  return toAmqpHeaders({
    ...letter.properties.headers,
    [DEAD_LETTER_HEADERS.reason]: letter.reason,
    [DEAD_LETTER_HEADERS.queue]: letter.queue,
    [DEAD_LETTER_HEADERS.deadLetteredAt]: deadLetteredAt.toISOString(),
    ...(typeof expiration === 'string'
      ? { [DEAD_LETTER_HEADERS.originalExpiration]: expiration }
      : {}),
  });
}

/**
 * amqplib publish options for a dead letter: the original properties and
 * headers (see {@link deadLetterHeaders}), always persistent, and without
 * the expiration, which would let the dead letter vanish from its queue
 * (RabbitMQ's own dead-lettering drops it too).
 */
export function deadLetterPublishOptions(
  letter: DeadLetter,
  deadLetteredAt: Date,
): Options.Publish {
  const received: Partial<Record<keyof MessageProperties, unknown>> =
    letter.properties;
  const options: Options.Publish = {
    headers: deadLetterHeaders(letter, deadLetteredAt),
    deliveryMode: 2,
  };
  for (const name of STRING_PROPERTIES) {
    const value = received[name];
    if (typeof value === 'string') {
      options[name] = value;
    }
  }
  for (const name of NUMBER_PROPERTIES) {
    const value = received[name];
    if (typeof value === 'number') {
      options[name] = value;
    }
  }
  return options;
}
