import { Logger } from '@nestjs/common';
import type { Channel, ConsumeMessage } from 'amqplib';
import type {
  AmqpConnectionManager,
  ChannelWrapper,
} from 'amqp-connection-manager';
import { randomUUID } from 'node:crypto';
import { fromAmqpHeaders, toAmqpHeaders } from '../protocol/amqp-headers';
import type { ControlRequest } from './control-message';
import { LamportClock } from './lamport-clock';
import {
  declarePidboxReplyExchange,
  PIDBOX_EXCHANGE,
  PIDBOX_REPLY_EXCHANGE,
} from './pidbox.topology';

/** `reply_queue_expires`: a reply queue without consumers lives 10 s. */
export const REPLY_QUEUE_EXPIRES_MS = 10_000;

/** `reply_queue_ttl`: a reply nobody read for 300 s is dropped. */
export const REPLY_QUEUE_MESSAGE_TTL_MS = 300_000;

/** One node's answer: `{"<hostname>": reply}`, as Celery's `_broadcast` returns them. */
export type ControlReply = Record<string, unknown>;

/** Options of one {@link ControlClient.broadcast} call (Celery's `broadcast` kwargs). */
export interface BroadcastOptions {
  /** The command's keyword arguments. */
  arguments?: Record<string, unknown>;
  /** Node names; null or empty = every node. */
  destination?: string[] | null;
  /** Wait for replies (an inspect); false = a cast. */
  reply?: boolean;
  /** Seconds to collect replies (Celery's default 1.0). */
  timeout?: number;
  /** Stop after this many replies (defaults to the destination's length). */
  limit?: number;
}

/** The reply queue kombu's Mailbox declares for a client: `<oid>.reply.celery.pidbox`. */
export function replyQueueName(oid: string): string {
  return `${oid}.${PIDBOX_REPLY_EXCHANGE}`;
}

/**
 * The request body kombu's `Mailbox._broadcast` publishes (celery-protocol.md
 * §D.6): casts carry no ticket nor reply_to.
 */
export function buildBroadcastRequest(
  method: string,
  options: BroadcastOptions,
  reply?: { ticket: string; oid: string },
): ControlRequest {
  const destination =
    options.destination && options.destination.length > 0
      ? options.destination
      : null;
  return {
    method,
    arguments: options.arguments ?? {},
    destination,
    pattern: null,
    matcher: null,
    ...(reply
      ? {
          ticket: reply.ticket,
          reply_to: {
            exchange: PIDBOX_REPLY_EXCHANGE,
            routing_key: reply.oid,
          },
        }
      : {}),
  };
}

/**
 * Collects the replies to one ticket until `limit` replies arrived or the
 * timeout fires, as kombu's `Mailbox._collect` does. Bodies that are not a
 * `{hostname: reply}` object are skipped.
 */
export class ReplyCollector {
  readonly replies: ControlReply[] = [];
  readonly done: Promise<ControlReply[]>;
  private finish: () => void = () => undefined;
  private timer?: NodeJS.Timeout;

  constructor(
    readonly ticket: string,
    timeoutMs: number,
    private readonly limit?: number,
  ) {
    this.done = new Promise<ControlReply[]>((resolve) => {
      this.finish = () => {
        clearTimeout(this.timer);
        resolve(this.replies);
      };
    });
    this.timer = setTimeout(() => this.finish(), timeoutMs);
    if (limit === 0) {
      this.finish();
    }
  }

  /** Takes one reply body; returns whether the collection is complete. */
  accept(body: unknown): boolean {
    if (typeof body === 'object' && body !== null && !Array.isArray(body)) {
      this.replies.push(body as ControlReply);
    }
    if (this.limit !== undefined && this.replies.length >= this.limit) {
      this.finish();
      return true;
    }
    return false;
  }

  /** Ends the collection now with what arrived. */
  close(): void {
    this.finish();
  }
}

/**
 * The client side of Celery's remote control (`app.control.broadcast` and
 * `app.control.inspect()`, kombu `Mailbox`): publishes requests on the
 * `celery.pidbox` fanout and collects the replies that the nodes publish on
 * `reply.celery.pidbox` with this client's id as routing key. One reply
 * queue per client, bound with its id; each call has its own ticket, which
 * the replies carry in their headers, so concurrent calls do not mix.
 *
 * @example
 * const replies = await control.broadcast('stats', { reply: true, timeout: 1 });
 * // [{ 'celery@host': { total: {...}, broker: {...}, ... } }]
 */
export class ControlClient {
  /** This client's id: the reply routing key (kombu's `Mailbox.oid`). */
  readonly oid = randomUUID();
  private readonly logger = new Logger(ControlClient.name);
  private readonly clock = new LamportClock();
  private readonly pending = new Map<string, ReplyCollector>();
  private channel?: ChannelWrapper;

  constructor(private readonly connection: AmqpConnectionManager) {}

  /** The reply queue of this client. */
  get replyQueue(): string {
    return replyQueueName(this.oid);
  }

  /** Declares the exchanges and the reply queue; resolves once consuming replies. */
  async start(): Promise<void> {
    await this.open().waitForConnect();
  }

  private open(): ChannelWrapper {
    if (!this.channel) {
      this.channel = this.connection.createChannel({
        name: 'celeriac-control-client',
        json: false,
        confirm: false,
        setup: (channel: Channel) => this.setup(channel),
      });
      this.channel.on('error', (error: Error) =>
        this.logger.warn({ msg: 'control channel error', err: error.message }),
      );
    }
    return this.channel;
  }

  async stop(): Promise<void> {
    for (const collector of this.pending.values()) {
      collector.close();
    }
    this.pending.clear();
    const channel = this.channel;
    this.channel = undefined;
    await channel?.close().catch(() => undefined);
  }

  /**
   * Broadcasts a command; with `reply`, resolves with the replies that came
   * within `timeout` seconds (or the first `limit`); a cast resolves with
   * `[]` at once and goes out as soon as the broker is connected.
   */
  async broadcast(
    method: string,
    options: BroadcastOptions = {},
  ): Promise<ControlReply[]> {
    // Not waiting for the connection: while the broker is down, a call
    // gives its (empty) replies after the timeout instead of hanging.
    const channel = this.open();
    const timeoutSeconds = options.timeout ?? 1;
    const limit =
      options.limit ??
      (options.destination && options.destination.length > 0
        ? options.destination.length
        : undefined);
    const ticket = randomUUID();
    const body = buildBroadcastRequest(
      method,
      options,
      options.reply ? { ticket, oid: this.oid } : undefined,
    );
    const collector = new ReplyCollector(
      ticket,
      timeoutSeconds * 1000,
      options.reply ? limit : 0,
    );
    if (options.reply) {
      this.pending.set(ticket, collector);
    }
    const published = channel.publish(
      PIDBOX_EXCHANGE,
      '',
      Buffer.from(JSON.stringify(body)),
      {
        contentType: 'application/json',
        contentEncoding: 'utf-8',
        deliveryMode: 1,
        headers: toAmqpHeaders({
          clock: this.clock.forward(),
          expires: Date.now() / 1000 + timeoutSeconds,
        }),
      },
    );
    published.catch((error: unknown) => {
      this.logger.warn({
        msg: 'control request not sent',
        method,
        err: String(error),
      });
      collector.close();
    });
    try {
      return await collector.done;
    } finally {
      this.pending.delete(ticket);
    }
  }

  private async setup(channel: Channel): Promise<void> {
    await channel.assertExchange(PIDBOX_EXCHANGE, 'fanout', {
      durable: false,
      autoDelete: false,
    });
    await declarePidboxReplyExchange(channel);
    await channel.assertQueue(this.replyQueue, {
      durable: false,
      autoDelete: true,
      exclusive: false,
      arguments: toAmqpHeaders({
        'x-message-ttl': REPLY_QUEUE_MESSAGE_TTL_MS,
        'x-expires': REPLY_QUEUE_EXPIRES_MS,
      }),
    });
    await channel.bindQueue(this.replyQueue, PIDBOX_REPLY_EXCHANGE, this.oid);
    await channel.consume(
      this.replyQueue,
      (message) => message && this.onReply(message),
      { noAck: true },
    );
  }

  private onReply(message: ConsumeMessage): void {
    const headers = fromAmqpHeaders(message.properties.headers ?? {});
    this.clock.adjust(headers.clock ?? 0);
    const ticket = headers.ticket;
    const collector =
      typeof ticket === 'string' ? this.pending.get(ticket) : undefined;
    if (!collector) {
      return;
    }
    let body: unknown;
    try {
      body = JSON.parse(message.content.toString('utf8'));
    } catch {
      this.logger.warn({ msg: 'ignoring a control reply that is not JSON' });
      return;
    }
    if (collector.accept(body)) {
      this.pending.delete(collector.ticket);
    }
  }
}
