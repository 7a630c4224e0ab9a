import { Logger } from '@nestjs/common';
import type { Channel, ConsumeMessage } from 'amqplib';
import type {
  AmqpConnectionManager,
  ChannelWrapper,
} from 'amqp-connection-manager';
import { toAmqpHeaders } from '../protocol/amqp-headers';
import {
  buildControlReply,
  type ControlReplyTo,
  type ControlRequest,
  decodeControlRequest,
  isForNode,
} from './control-message';
import { LamportClock } from './lamport-clock';
import {
  declarePidboxReplyExchange,
  declarePidboxTopology,
  pidboxQueueName,
} from './pidbox.topology';

/**
 * Runs one remote-control command. Resolves to the reply (any JSON value,
 * `null` included) or to `undefined` for "not mine": no reply is sent, as a
 * Flower that gets `{"error": ...}` for an unimplemented `stats` breaks
 * (celery-protocol.md §D.6). A rejection is logged and answered
 * `{ error: String(error) }`.
 */
export type ControlHandler = (
  method: string,
  args: Record<string, unknown>,
) => Promise<unknown>;

/** Options of {@link PidboxConsumer}. */
export interface PidboxConsumerOptions {
  /** The node name Celery addresses, e.g. `celeriac@host`. */
  hostname: string;
  handler: ControlHandler;
  /** The node's logical clock, shared with its event dispatcher if any. */
  clock?: LamportClock;
}

/**
 * A node's Celery remote-control mailbox ("pidbox", celery-protocol.md
 * §D.5–D.7): consumes `<hostname>.celery.pidbox` without acks, runs the
 * requests addressed to this node through the handler, and publishes the
 * replies callers wait for. It has its own channel, re-declared and
 * re-consumed on every reconnect.
 */
export class PidboxConsumer {
  /** The node's mailbox queue. */
  readonly queue: string;
  private readonly logger = new Logger(PidboxConsumer.name);
  private readonly clock: LamportClock;
  private channel?: ChannelWrapper;
  private consumer?: { channel: Channel; tag: string };
  private stopped = false;

  constructor(
    private readonly connection: AmqpConnectionManager,
    private readonly options: PidboxConsumerOptions,
  ) {
    this.queue = pidboxQueueName(options.hostname);
    this.clock = options.clock ?? new LamportClock();
  }

  /**
   * Declares the mailbox and starts consuming. Resolves once consuming (it
   * waits for the broker if the connection is down) and rejects if the
   * declarations fail, e.g. an existing node queue with other arguments.
   */
  async start(): Promise<void> {
    if (this.channel) {
      throw new Error(`the pidbox of ${this.options.hostname} is started`);
    }
    this.stopped = false;
    await this.open();
  }

  /**
   * Stops consuming and closes the channel; the broker then deletes the
   * auto-delete queue. Replies still being computed are dropped, as their
   * callers time out anyway.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.close();
  }

  private async open(): Promise<void> {
    const wrapper = this.connection.createChannel({
      name: `celeriac-pidbox ${this.options.hostname}`,
      json: false,
      // Replies are fire-and-forget, as in kombu; the caller's timeout covers a lost one.
      confirm: false,
      setup: (channel: Channel) => this.setup(channel),
    });
    this.channel = wrapper;
    // An 'error' without a listener would crash the process.
    wrapper.on('error', (error: Error) => {
      this.logger.error(`pidbox channel: ${error.message}`, error.stack);
    });
    let rejectOpen: (error: Error) => void = () => undefined;
    const failed = new Promise<never>((_, reject) => {
      rejectOpen = reject;
    });
    const onError = (error: Error) => rejectOpen(error);
    const onClose = () => rejectOpen(new Error('the pidbox was stopped'));
    wrapper.once('error', onError);
    wrapper.once('close', onClose);
    try {
      await Promise.race([wrapper.waitForConnect(), failed]);
    } catch (error) {
      if (this.channel === wrapper) {
        await this.close();
      }
      throw error;
    } finally {
      wrapper.off('error', onError);
      wrapper.off('close', onClose);
    }
  }

  private async close(): Promise<void> {
    const wrapper = this.channel;
    const consumer = this.consumer;
    this.channel = undefined;
    this.consumer = undefined;
    // Either may fail on a channel the broker already closed; the wrapper
    // has dropped its reconnect listeners by then, which is what matters.
    try {
      await consumer?.channel.cancel(consumer.tag);
    } catch {
      // Nothing left to cancel.
    }
    try {
      await wrapper?.close();
    } catch {
      // Already closed.
    }
  }

  // Celery's Pidbox.reset: a fresh channel, queue and consumer. The wrapper
  // itself only replaces a channel when the whole connection reconnects.
  private async restart(reason: string): Promise<void> {
    this.logger.warn(
      `restarting the pidbox of ${this.options.hostname}: ${reason}`,
    );
    await this.close();
    if (this.stopped) {
      return;
    }
    try {
      await this.open();
    } catch (error) {
      this.logger.error(`could not restart the pidbox: ${String(error)}`);
    }
    if (this.stopped) {
      await this.close();
    }
  }

  // Runs on every (re)connect, on the new channel; replies go out on the
  // channel that delivered the request.
  private async setup(channel: Channel): Promise<void> {
    // Without a listener amqplib would turn a channel error (a 406 on a reply
    // exchange, say) into the loss of the whole shared connection.
    let failure: Error | undefined;
    channel.on('error', (error: Error) => {
      failure = error;
      this.logger.error(`pidbox channel closed: ${error.message}`);
    });
    // Restart once the channel is fully closed, so the old one cannot touch
    // the channel number the new one may reuse.
    channel.on('close', () => {
      if (failure && !this.stopped && this.consumer?.channel === channel) {
        void this.restart(failure.message);
      }
    });
    const { hostname } = this.options;
    const { consumerCount } = await declarePidboxTopology(channel, hostname);
    if (consumerCount > 0) {
      // kombu's W_PIDBOX_IN_USE: two nodes with one name split the commands.
      this.logger.warn(
        `a node named ${hostname} is already using this mailbox: give each node a unique name`,
      );
    }
    const { consumerTag } = await channel.consume(
      this.queue,
      (message) => {
        if (message) {
          this.onMessage(channel, message);
        } else if (!this.stopped && this.consumer?.channel === channel) {
          // The queue was deleted under us.
          void this.restart(
            `the broker cancelled the consumer of ${this.queue}`,
          );
        }
      },
      { noAck: true },
    );
    this.consumer = { channel, tag: consumerTag };
  }

  private onMessage(channel: Channel, message: ConsumeMessage): void {
    // As Celery's worker Pidbox.on_message: a local event, then the merge.
    this.clock.forward();
    const request = decodeControlRequest(
      message.content,
      message.properties.contentType as string | undefined,
    );
    if (!request) {
      this.logger.warn(
        `ignoring a control message that is not a Celery request (${String(message.properties.contentType)})`,
      );
      return;
    }
    this.clock.adjust(message.properties.headers?.clock ?? 0);
    if (!isForNode(request, this.options.hostname)) {
      return;
    }
    void this.dispatch(channel, request);
  }

  private async dispatch(
    channel: Channel,
    request: ControlRequest,
  ): Promise<void> {
    let reply: unknown;
    try {
      reply = await this.options.handler(request.method, request.arguments);
    } catch (error) {
      this.logger.error(
        `control command ${request.method} failed: ${String(error)}`,
        error instanceof Error ? error.stack : undefined,
      );
      reply = { error: String(error) };
    }
    const replyTo = request.reply_to;
    if (reply === undefined || !replyTo || this.stopped) {
      return;
    }
    try {
      await this.reply(channel, replyTo, request.ticket, reply);
    } catch (error) {
      if (!this.stopped) {
        this.logger.warn(
          `could not reply to ${request.method}: ${String(error)}`,
        );
      }
    }
  }

  // kombu's Mailbox._publish_reply: declare the exchange, then publish the
  // answer under the node name, transient, with the ticket and the clock.
  private async reply(
    channel: Channel,
    { exchange, routing_key: routingKey }: ControlReplyTo,
    ticket: string | undefined,
    reply: unknown,
  ): Promise<void> {
    const body = Buffer.from(
      JSON.stringify(buildControlReply(this.options.hostname, reply)),
      'utf8',
    );
    await declarePidboxReplyExchange(channel, exchange);
    channel.publish(exchange, routingKey, body, {
      contentType: 'application/json',
      contentEncoding: 'utf-8',
      deliveryMode: 1,
      headers: toAmqpHeaders({
        ticket: ticket ?? null,
        clock: this.clock.forward(),
      }),
    });
  }
}
