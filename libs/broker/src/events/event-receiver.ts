import { Logger } from '@nestjs/common';
import type { Channel, ConsumeMessage } from 'amqplib';
import type {
  AmqpConnectionManager,
  ChannelWrapper,
} from 'amqp-connection-manager';
import { randomUUID } from 'node:crypto';
import { toAmqpHeaders } from '../protocol/amqp-headers';
import { EVENT_EXCHANGE, pythonUtcOffset } from './event-dispatcher';

/** `x-message-ttl` of an event receiver's queue (`event_queue_ttl`, 5 s). */
export const EVENT_QUEUE_TTL_MS = 5_000;

/** `x-expires` of an event receiver's queue (`event_queue_expires`, 60 s). */
export const EVENT_QUEUE_EXPIRES_MS = 60_000;

/** One Celery event as received, with `local_received` added (epoch seconds). */
export type CeleryEvent = Record<string, unknown> & {
  type: string;
  hostname: string;
  timestamp: number;
  local_received: number;
};

/**
 * Decodes an event message body as Celery's `EventReceiver` does: one event
 * object, or a list of them (`task.multi` batches). Events without a string
 * `type` and `hostname` are dropped; the timestamp is "localized" with the
 * sender's `utcoffset` (`adjust_timestamp`: ts - (offset - here) * 3600) and
 * `local_received` is set to `receivedAt`.
 *
 * @param content - the message body (utf-8 JSON)
 * @param receivedAt - epoch seconds of arrival
 * @param here - this host's Python-style utcoffset
 */
export function decodeEvents(
  content: Buffer | string,
  receivedAt: number,
  here = pythonUtcOffset(),
): CeleryEvent[] {
  let body: unknown;
  try {
    body = JSON.parse(
      typeof content === 'string' ? content : content.toString('utf8'),
    );
  } catch {
    return [];
  }
  const items = Array.isArray(body) ? (body as unknown[]) : [body];
  const events: CeleryEvent[] = [];
  for (const item of items) {
    if (typeof item !== 'object' || item === null || Array.isArray(item)) {
      continue;
    }
    const fields = item as Record<string, unknown>;
    if (
      typeof fields.type !== 'string' ||
      typeof fields.hostname !== 'string'
    ) {
      continue;
    }
    const offset = typeof fields.utcoffset === 'number' ? fields.utcoffset : 0;
    const sent =
      typeof fields.timestamp === 'number' ? fields.timestamp : receivedAt;
    events.push({
      ...fields,
      type: fields.type,
      hostname: fields.hostname,
      timestamp: sent - (offset - here) * 3600,
      local_received: receivedAt,
    });
  }
  return events;
}

/** Options of {@link EventReceiver}. */
export interface EventReceiverOptions {
  /** Called for every event, in arrival order; must not throw. */
  handler: (event: CeleryEvent) => void;
  /** The queue name; defaults to `celeryev.<uuid>` as Celery's receiver. */
  queue?: string;
}

/**
 * Celery's `EventReceiver` (what Flower consumes with): a queue of its own,
 * `celeryev.<uuid>`, auto-deleted, with Celery's TTL and expiry, bound to
 * the `celeryev` topic exchange with `#`, consumed without acks. Re-declared
 * on every reconnect.
 */
export class EventReceiver {
  readonly queue: string;
  private readonly logger = new Logger(EventReceiver.name);
  private channel?: ChannelWrapper;

  constructor(
    private readonly connection: AmqpConnectionManager,
    private readonly options: EventReceiverOptions,
  ) {
    this.queue = options.queue ?? `celeryev.${randomUUID()}`;
  }

  /** Resolves once the queue is consumed. */
  async start(): Promise<void> {
    if (this.channel) {
      return;
    }
    this.channel = this.connection.createChannel({
      name: 'celeriac-event-receiver',
      json: false,
      confirm: false,
      setup: (channel: Channel) => this.setup(channel),
    });
    this.channel.on('error', (error: Error) =>
      this.logger.warn({ msg: 'event channel error', err: error.message }),
    );
    await this.channel.waitForConnect();
  }

  async stop(): Promise<void> {
    const channel = this.channel;
    this.channel = undefined;
    await channel?.close().catch(() => undefined);
  }

  private async setup(channel: Channel): Promise<void> {
    await channel.assertExchange(EVENT_EXCHANGE, 'topic', {
      durable: true,
      autoDelete: false,
    });
    await channel.assertQueue(this.queue, {
      durable: false,
      autoDelete: true,
      exclusive: true,
      arguments: toAmqpHeaders({
        'x-message-ttl': EVENT_QUEUE_TTL_MS,
        'x-expires': EVENT_QUEUE_EXPIRES_MS,
      }),
    });
    await channel.bindQueue(this.queue, EVENT_EXCHANGE, '#');
    await channel.consume(
      this.queue,
      (message) => message && this.onMessage(message),
      { noAck: true },
    );
  }

  private onMessage(message: ConsumeMessage): void {
    const events = decodeEvents(message.content, Date.now() / 1000);
    for (const event of events) {
      try {
        this.options.handler(event);
      } catch (error) {
        this.logger.error({
          msg: 'event handler failed',
          type: event.type,
          err: String(error),
        });
      }
    }
  }
}
