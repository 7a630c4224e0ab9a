import { Logger } from '@nestjs/common';
import type { Channel, ConfirmChannel, Options } from 'amqplib';
import type {
  AmqpConnectionManager,
  ChannelWrapper,
} from 'amqp-connection-manager';
import { LamportClock } from '../control/lamport-clock';
import { toAmqpHeaders } from '../protocol/amqp-headers';
import { TaskEventJson } from './event-json';
import { TaskEventBatch } from './task-event-batch';

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
  // amqplib's channel under `channel` while it is set up and has room:
  // events go straight to it (see publish).
  private direct?: Channel;
  private readonly taskEventJson: TaskEventJson;
  private readonly taskEventBatch = new TaskEventBatch(
    (json) => void this.publish('task-multi', json), // never rejects
  );
  // The same for every event of this node: encoded once, not per publish.
  private readonly publishOptions: Options.Publish;

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
    this.taskEventJson = new TaskEventJson(this.hostname, process.pid, (now) =>
      pythonUtcOffset(new Date(now)),
    );
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
        // Watched once per channel; goDirect may run again after a drain.
        channel.once('close', () => {
          if (this.direct === channel) {
            this.direct = undefined;
          }
        });
        this.direct = channel;
      },
    });
    await this.channel.waitForConnect();
  }

  /**
   * A task event (`uuid` and `fields`): never throws, never waits. Sent
   * with the others of this turn as one `task.multi` list (see
   * TaskEventBatch), as Celery's worker sends them.
   */
  sendTaskEvent(
    type: string,
    uuid: string,
    fields?: Record<string, unknown>,
  ): void {
    if (!this.channel || !this.enabled || !this.taskEvents) {
      return;
    }
    const clock = this.clock.forward();
    const json =
      this.taskEventJson.encode(type, uuid, fields, clock, Date.now()) ??
      JSON.stringify(
        buildEventBody(
          type,
          { uuid, ...fields },
          { hostname: this.hostname, clock },
        ),
      );
    this.taskEventBatch.add(json);
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
    const body = buildEventBody(type, fields, {
      hostname: this.hostname,
      clock: this.clock.forward(),
    });
    await this.publish(type, JSON.stringify(body));
  }

  /**
   * Straight to amqplib's channel while it is up, has room and nothing
   * waits in the wrapper's queue (so events keep their order): the
   * wrapper's publish costs a promise, a queue entry and a pass of its
   * worker per event. Otherwise through the wrapper, which holds events
   * while disconnected and resumes on `drain`.
   */
  private publish(type: string, json: string): Promise<void> {
    const routingKey = eventRoutingKey(type);
    const content = Buffer.from(json);
    const direct = this.direct;
    const channel = this.channel;
    try {
      if (direct && channel?.queueLength() === 0) {
        if (
          !direct.publish(
            EVENT_EXCHANGE,
            routingKey,
            content,
            this.publishOptions,
          )
        ) {
          this.waitForRoom(direct);
        }
        return Promise.resolve();
      }
      if (channel) {
        return channel
          .publish(EVENT_EXCHANGE, routingKey, content, this.publishOptions)
          .then(
            () => undefined,
            (error: unknown) => this.dropped(type, error),
          );
      }
    } catch (error) {
      // amqplib throws when its channel closed under us; the wrapper
      // makes a new one on reconnect.
      this.dropped(type, error);
    }
    return Promise.resolve();
  }

  // Until amqplib's buffer drains, events queue in the wrapper, which waits.
  private waitForRoom(channel: Channel): void {
    this.direct = undefined;
    channel.once('drain', () => {
      if (this.channel && !this.direct) {
        this.direct = channel;
      }
    });
  }

  private dropped(type: string, error: unknown): void {
    this.logger.warn({ msg: 'event dropped', type, err: error });
  }

  async close(): Promise<void> {
    this.taskEventBatch.flush();
    const channel = this.channel;
    this.channel = undefined;
    this.direct = undefined;
    await channel?.close().catch(() => undefined);
  }
}
