import { Logger } from '@nestjs/common';
import type { ConfirmChannel } from 'amqplib';
import type {
  AmqpConnectionManager,
  ChannelWrapper,
} from 'amqp-connection-manager';
import { LamportClock } from '../control/lamport-clock';
import { toAmqpHeaders } from '../protocol/amqp-headers';

/** Celery's event exchange (`event_exchange`, celery-protocol.md §D.1). */
export const EVENT_EXCHANGE = 'celeryev';

/** Celery's routing key for an event type: `task-succeeded` → `task.succeeded`. */
export function eventRoutingKey(type: string): string {
  return type.replace('-', '.');
}

/**
 * `time.timezone // 3600` with Python's sign: positive *west* of UTC
 * (celery-protocol.md §D.2).
 */
export function pythonUtcOffset(date: Date = new Date()): number {
  return Math.floor(date.getTimezoneOffset() / 60);
}

/** Identity and clock stamped on every event (§D.2). */
export interface EventStamp {
  hostname: string;
  clock: number;
  /** Epoch milliseconds; defaults to now. */
  now?: number;
  pid?: number;
  utcoffset?: number;
}

/** The body Celery's `EventDispatcher.publish` sends: the fields plus §D.2's. */
export function buildEventBody(
  type: string,
  fields: Record<string, unknown>,
  stamp: EventStamp,
): Record<string, unknown> {
  return {
    ...fields,
    type,
    hostname: stamp.hostname,
    timestamp: (stamp.now ?? Date.now()) / 1000,
    utcoffset: stamp.utcoffset ?? pythonUtcOffset(),
    pid: stamp.pid ?? process.pid,
    clock: stamp.clock,
  };
}

/** Options of {@link EventDispatcher}. */
export interface EventDispatcherOptions {
  hostname: string;
  /** When false, nothing is published at all. */
  enabled?: boolean;
  /** Whether `task-*` events are sent (Celery's `-E`); worker events are always sent. */
  taskEvents?: boolean;
  /** The node's logical clock, shared with its pidbox. */
  clock?: LamportClock;
}

/**
 * Celery's event dispatcher (celery-protocol.md §D.1–D.3): publishes JSON
 * events on the durable `celeryev` topic exchange, transient, on its own
 * channel. Events are best effort: a failure is logged and dropped, never
 * thrown into the caller.
 */
export class EventDispatcher {
  enabled: boolean;
  taskEvents: boolean;
  readonly hostname: string;
  private readonly clock: LamportClock;
  private readonly logger = new Logger(EventDispatcher.name);
  private channel?: ChannelWrapper;
  // The same for every event of this node: encoded once, not per publish.
  private readonly publishOptions: {
    contentType: string;
    contentEncoding: string;
    deliveryMode: number;
    headers: Record<string, unknown>;
  };

  constructor(
    private readonly connection: AmqpConnectionManager,
    options: EventDispatcherOptions,
  ) {
    this.hostname = options.hostname;
    this.enabled = options.enabled ?? true;
    this.taskEvents = options.taskEvents ?? true;
    this.clock = options.clock ?? new LamportClock();
    this.publishOptions = {
      contentType: 'application/json',
      contentEncoding: 'utf-8',
      deliveryMode: 1,
      headers: toAmqpHeaders({ hostname: this.hostname }),
    };
  }

  /** Opens the channel and declares the exchange; resolves once connected. */
  async start(): Promise<void> {
    if (this.channel) {
      return;
    }
    this.channel = this.connection.createChannel({
      name: 'celeriac-events',
      json: false,
      confirm: false,
      setup: async (channel: ConfirmChannel) => {
        await channel.assertExchange(EVENT_EXCHANGE, 'topic', {
          durable: true,
          autoDelete: false,
        });
      },
    });
    await this.channel.waitForConnect();
  }

  /** Publishes one event; a no-op when disabled, or for task events when those are off. */
  async send(
    type: string,
    fields: Record<string, unknown> = {},
  ): Promise<void> {
    const channel = this.channel;
    if (
      !channel ||
      !this.enabled ||
      (type.startsWith('task-') && !this.taskEvents)
    ) {
      return;
    }
    try {
      const body = buildEventBody(type, fields, {
        hostname: this.hostname,
        clock: this.clock.forward(),
      });
      await channel.publish(
        EVENT_EXCHANGE,
        eventRoutingKey(type),
        Buffer.from(JSON.stringify(body)),
        this.publishOptions,
      );
    } catch (error) {
      this.logger.warn({ msg: 'event dropped', type, err: error });
    }
  }

  async close(): Promise<void> {
    const channel = this.channel;
    this.channel = undefined;
    await channel?.close().catch(() => undefined);
  }
}
