import type { Logger } from '@nestjs/common';
import type { ConfirmChannel } from 'amqplib';
import {
  type AmqpConnectionManager,
  type ChannelWrapper,
  connect,
} from 'amqp-connection-manager';
import { PIDBOX_EXCHANGE } from '../control/pidbox.topology';
import { declareTaskQueue } from '../topology/celery-topology';
import { declareDeadLetter } from '../topology/dead-letter';
import {
  bindQueueToDelayedDelivery,
  declareNativeDelayedDelivery,
} from '../topology/native-delayed-delivery';
import { amqpSocketOptions } from './amqp-socket';
import {
  type BrokerEndpoint,
  brokerEndpoints,
  maskBrokerUrls,
} from './broker-urls';
import { coalesceWritesOf } from './amqp-write-coalescing';
import { publishFramesOn } from './frame-publish';
import { BrokerUnavailableError } from './broker-unavailable.error';
import {
  type CeleryClientOptions,
  publishTimeoutMsOf,
} from './celery-client.options';

/**
 * The publishing side's one connection and confirm channel, opened on first
 * use, and the topology declared on it: each declaration is a channel setup
 * made once per connection and re-run on every reconnect, so it survives a
 * broker restart. Tracks whether the connection is known to be lost.
 */
export class PublisherChannel {
  private connection?: AmqpConnectionManager;
  private channel?: ChannelWrapper;
  private readonly declaredQueues = new Map<string, Promise<void>>();
  private pidboxDeclared?: Promise<void>;
  private deadLetterDeclared?: Promise<void>;
  private delayedDeliveryDeclared?: Promise<void>;
  // Why the last connect attempt failed or the connection dropped; cleared on connect.
  private lostReason?: string;

  // Read once, at construction: a bad TLS parameter stops the app at start.
  private readonly endpoints: BrokerEndpoint[];

  /**
   * @param logger - the client's, so its warnings keep the client's name
   */
  constructor(
    private readonly options: CeleryClientOptions,
    private readonly logger: Logger,
  ) {
    this.endpoints = brokerEndpoints(
      options.url,
      amqpSocketOptions(options.connectionName ?? 'celeriac-client'),
    );
  }

  /** Whether an ETA goes through RabbitMQ's delayed-delivery levels. */
  get delaysNatively(): boolean {
    return this.options.countdownDelivery === 'native';
  }

  /** The connection manager, once `ensure` opened it. */
  get currentConnection(): AmqpConnectionManager | undefined {
    return this.connection;
  }

  /** Whether the broker connection is up. */
  isConnected(): boolean {
    return this.connection?.isConnected() ?? false;
  }

  /**
   * Throws when `failFastWhileDown` is set and the connection is known to
   * be lost.
   *
   * @throws BrokerUnavailableError
   */
  assertAvailable(): void {
    if (
      this.options.failFastWhileDown &&
      this.lostReason !== undefined &&
      !this.isConnected()
    ) {
      throw new BrokerUnavailableError(`not connected (${this.lostReason})`);
    }
  }

  async close(): Promise<void> {
    const channel = this.channel;
    const connection = this.connection;
    this.channel = undefined;

    this.connection = undefined;
    this.declaredQueues.clear();
    this.lostReason = undefined;
    this.pidboxDeclared = undefined;
    this.deadLetterDeclared = undefined;
    this.delayedDeliveryDeclared = undefined;
    await channel?.close();
    await connection?.close();
  }

  // While the broker is down, publishes are buffered and fail after
  // publishTimeoutMs, so callers get an error instead of a hang.
  ensure(): ChannelWrapper {
    if (this.channel) {
      return this.channel;
    }
    // With several brokers it moves to the next one when one drops; every
    // setup (declarations) re-runs on the new connection.
    const connection = connect(this.endpoints, {
      heartbeatIntervalInSeconds: 10,
      reconnectTimeInSeconds: 1,
    });
    coalesceWritesOf(connection);
    // Events of a connection close() already let go of must not mark a new one lost.
    const lost = (reason: string) => {
      if (this.connection === connection) {
        this.lostReason = reason;
      }
    };
    connection.on('connect', () => {
      if (this.connection === connection) {
        this.lostReason = undefined;
      }
    });
    connection.on('connectFailed', ({ err }: { err?: Error }) =>
      lost(err?.message ?? 'connect failed'),
    );
    connection.on('disconnect', ({ err }: { err?: Error }) => {
      lost(err?.message ?? 'connection lost');
      this.logger.warn({
        msg: 'broker connection lost',
        url: maskBrokerUrls(this.options.url),
        reason: err?.message,
      });
    });
    this.connection = connection;
    const channel = connection.createChannel({
      name: 'celeriac-publisher',
      json: false,
      confirm: true,
      publishTimeout: publishTimeoutMsOf(this.options),
      // First of the setups, on every channel it opens (each reconnect).
      setup: (raw: ConfirmChannel) => {
        publishFramesOn(raw);
        return Promise.resolve();
      },
    });
    // An 'error' without a listener would crash the process: the wrapper
    // emits one when the channel cannot open (a close() while connecting)
    // or a setup fails (whose caller also gets the rejection).
    channel.on('error', (error: Error) =>
      this.logger.warn({
        msg: 'broker channel error',
        url: maskBrokerUrls(this.options.url),
        reason: error.message,
      }),
    );
    this.channel = channel;
    return channel;
  }

  // The map makes it one declaration per queue per client.
  declareQueue(channel: ChannelWrapper, queue: string): Promise<void> {
    let declared = this.declaredQueues.get(queue);
    if (!declared) {
      const native = this.delaysNatively;
      declared = (
        native ? this.declareDelayedDelivery(channel) : Promise.resolve()
      ).then(() =>
        channel.addSetup(async (raw: ConfirmChannel) => {
          await declareTaskQueue(raw, queue, this.options.queueType);
          if (native) {
            await bindQueueToDelayedDelivery(raw, queue);
          }
        }),
      );
      declared.catch(() => this.declaredQueues.delete(queue));
      this.declaredQueues.set(queue, declared);
    }
    return declared;
  }

  // As declareQueue: once per client; a failed declaration is forgotten so
  // the next dead letter tries again.
  declareDeadLetter(channel: ChannelWrapper): Promise<void> {
    if (!this.deadLetterDeclared) {
      const declared = channel.addSetup((raw: ConfirmChannel) =>
        declareDeadLetter(raw, this.options.queueType),
      );
      declared.catch(() => {
        if (this.deadLetterDeclared === declared) {
          this.deadLetterDeclared = undefined;
        }
      });
      this.deadLetterDeclared = declared;
    }
    return this.deadLetterDeclared;
  }

  /** The `celery.pidbox` fanout that remote-control casts go to. */
  declarePidbox(channel: ChannelWrapper): Promise<void> {
    if (!this.pidboxDeclared) {
      this.pidboxDeclared = channel.addSetup((raw: ConfirmChannel) =>
        raw
          .assertExchange(PIDBOX_EXCHANGE, 'fanout', { durable: false })
          .then(() => undefined),
      );
      this.pidboxDeclared.catch(() => (this.pidboxDeclared = undefined));
    }
    return this.pidboxDeclared;
  }

  // The delayed-delivery levels, once per client, before any queue: with
  // native countdowns each queue is bound to the delivery exchange along
  // with its declaration, so a delayed message always has somewhere to go.
  private declareDelayedDelivery(channel: ChannelWrapper): Promise<void> {
    if (!this.delayedDeliveryDeclared) {
      const declared = channel.addSetup((raw: ConfirmChannel) =>
        declareNativeDelayedDelivery(raw),
      );
      declared.catch(() => {
        if (this.delayedDeliveryDeclared === declared) {
          this.delayedDeliveryDeclared = undefined;
        }
      });
      this.delayedDeliveryDeclared = declared;
    }
    return this.delayedDeliveryDeclared;
  }
}
