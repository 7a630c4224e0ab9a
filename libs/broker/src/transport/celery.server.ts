import { CustomTransportStrategy, Server } from '@nestjs/microservices';
import type { ConfirmChannel } from 'amqplib';
import {
  type AmqpConnectionManager,
  type ChannelWrapper,
  connect,
} from 'amqp-connection-manager';
import {
  declareQueue,
  defaultTaskQueue,
  queueAsDict,
  type TaskQueue,
} from '../topology/task-queue';
import { type TaskQueueType, usesGlobalQos } from '../topology/queue-type';
import { AckBatcher } from './ack-batcher';
import type { ConsumerChannel } from './amqp-task-delivery';
import { amqpSocketOptions } from './amqp-socket';
import {
  type BrokerEndpoint,
  brokerEndpoints,
  maskBrokerUrls,
} from './broker-urls';
import { coalesceWritesOf } from './amqp-write-coalescing';
import type { ConnectionCompanion } from './connection-companion';
import { DeliveryHandler } from './delivery-handler';
import { PrefetchHolds } from './prefetch-holds';
import type { TaskDispatcher } from './task-delivery';

/** The AMQP heartbeat of the worker's connection, in seconds. */
const HEARTBEAT_SECONDS = 10;

/** Celery's `broker_connection_timeout`: how long a connect may take. */
const CONNECT_TIMEOUT_MS = 4000;

/** Options of the consuming side. */
export interface CeleryServerOptions {
  /** One broker, or several separated by `;` to fail over between. */
  url: string;
  queues: string[];
  /** Celery's `task_default_queue_type` for `queues`; classic by default. */
  queueType?: TaskQueueType;
  /**
   * Deliveries of one message before it is dead-lettered instead of run
   * again (quorum queues count them); 0 or unset: no limit.
   */
  deliveryLimit?: number;
  /** Unacknowledged messages the broker may hand this worker at once. */
  prefetch: number;
  dispatcher: TaskDispatcher;
  /** Shown in RabbitMQ's connection list. */
  connectionName?: string;
  /**
   * How long `close()` lets running tasks finish before it closes the
   * channel, which returns their unacked messages to the queue.
   */
  shutdownTimeoutMs?: number;
  /**
   * The node's other parts on this connection (the worker's pidbox, event
   * dispatcher and heartbeat), started in order once connected.
   */
  companions?: readonly ConnectionCompanion[];
}

/**
 * A Nest transport strategy that consumes Celery task messages from
 * RabbitMQ (celery-protocol.md §A.3): several queues on one connection,
 * manual acks, prefetch set explicitly, Celery's queue topology. It routes
 * each message to the handler registered for its task name
 * (`@EventPattern('add_task')`) through the worker's `TaskDispatcher`.
 */
export class CeleryServer extends Server implements CustomTransportStrategy {
  private connection?: AmqpConnectionManager;
  private channel?: ChannelWrapper;
  // Deliveries not yet handled, and who waits for there to be none.
  private inFlight = 0;
  private idle: (() => void)[] = [];
  private readonly settleOne = () => {
    this.inFlight -= 1;
    if (this.inFlight === 0) {
      const waiting = this.idle;
      this.idle = [];
      waiting.forEach((resolve) => resolve());
    }
  };
  private consumers: {
    channel: ConfirmChannel;
    tag: string;
    queue: string;
  }[] = [];
  /** What it consumes: the configured queues, plus `add_consumer`'s. */
  private readonly queues = new Map<string, TaskQueue>();
  // The current consumer channel's ack batcher (acks coalesced per
  // event-loop turn) and prefetch holds.
  private consumerChannel?: ConsumerChannel;
  private readonly deliveries: DeliveryHandler;
  /** The channel the consumers run on now, for consumers added at runtime. */
  private current?: ConfirmChannel;
  private readonly prefetch: PrefetchHolds;

  // Read once, at construction: a bad TLS parameter stops the worker at start.
  private readonly endpoints: BrokerEndpoint[];

  constructor(private readonly options: CeleryServerOptions) {
    super();
    this.endpoints = brokerEndpoints(
      options.url,
      amqpSocketOptions(
        options.connectionName ?? 'celeriac-worker',
        CONNECT_TIMEOUT_MS,
      ),
    );
    for (const queue of options.queues) {
      this.queues.set(queue, defaultTaskQueue(queue, options.queueType));
    }
    this.prefetch = new PrefetchHolds(options.prefetch);
    this.deliveries = new DeliveryHandler({
      dispatcher: options.dispatcher,
      deliveryLimit: options.deliveryLimit ?? 0,
      handlerOf: (task) => this.getHandlerByPattern(task),
      onError: (message) => {
        this.logger.error(message);
      },
    });
  }

  listen(callback: (error?: unknown) => void): void {
    // With several brokers it moves to the next one when one drops, and
    // setupConsumers declares and subscribes again there.
    this.connection = connect(this.endpoints, {
      heartbeatIntervalInSeconds: HEARTBEAT_SECONDS,
      reconnectTimeInSeconds: 1,
    });
    coalesceWritesOf(this.connection);
    this.connection.on('disconnect', ({ err }: { err?: Error }) => {
      // Those consumers died with their channel; setupConsumers makes new ones.
      this.consumers = [];
      this.logger.warn?.(
        `disconnected from ${maskBrokerUrls(this.options.url)}: ${err?.message ?? 'closed'}`,
      );
    });
    this.channel = this.connection.createChannel({
      name: 'celeriac-consumer',
      json: false,
      setup: (channel: ConfirmChannel) => this.setupConsumers(channel),
    });
    const connection = this.connection;
    this.channel
      .waitForConnect()
      .then(async () => {
        for (const companion of this.companions) {
          await companion.start(connection);
        }
      })
      .then(
        () => callback(),
        (error: unknown) => callback(error),
      );
  }

  /**
   * Warm shutdown: stops consuming, gives back held ETA messages, lets
   * running tasks finish for up to `shutdownTimeoutMs`, then disconnects;
   * whatever is still unacked then returns to its queue.
   */
  async close(): Promise<void> {
    const consumers = this.consumers;
    this.consumers = [];
    this.current = undefined;
    for (const companion of this.companions) {
      await companion.stopIntake?.().catch(() => undefined);
    }
    await Promise.allSettled(
      consumers.map(({ channel, tag }) => channel.cancel(tag)),
    );
    this.options.dispatcher.stopHolding?.();
    const timeoutMs = this.options.shutdownTimeoutMs ?? 30_000;
    let timer: NodeJS.Timeout | undefined;
    const finished = await Promise.race([
      this.whenIdle().then(() => true),
      new Promise<false>((resolve) => {
        timer = setTimeout(() => resolve(false), timeoutMs);
      }),
    ]);
    clearTimeout(timer);
    if (!finished) {
      this.logger.warn?.(
        `${this.inFlight} task(s) still running after ${timeoutMs} ms: returning them to the queue`,
      );
    }
    this.consumerChannel?.acks.flush();
    for (const companion of [...this.companions].reverse()) {
      await companion.stop?.();
    }
    await this.channel?.close();
    await this.connection?.close();
  }

  on(): never {
    throw new Error('CeleryServer does not emit events through on()');
  }

  unwrap<T>(): T {
    if (!this.connection) {
      throw new Error('CeleryServer is not listening yet');
    }
    return this.connection as T;
  }

  /** Whether the broker connection is up and the consumers are set. */
  isConnected(): boolean {
    return (
      (this.connection?.isConnected() ?? false) &&
      this.consumers.length === this.queues.size
    );
  }

  /** The queues it consumes now, as kombu's `Queue.as_dict(recurse=True)`. */
  activeQueues(): Record<string, unknown>[] {
    const consuming = new Set(this.consumers.map(({ queue }) => queue));
    return [...this.queues.values()]
      .filter(({ name }) => consuming.has(name))
      .map(queueAsDict);
  }

  /** The channel's prefetch now: the configured one plus held ETA messages. */
  prefetchCount(): number {
    return this.prefetch.count;
  }

  /** The connection's AMQP heartbeat, in seconds. */
  get heartbeatSeconds(): number {
    return HEARTBEAT_SECONDS;
  }

  /**
   * Celery's `add_consumer`: declares the queue and starts consuming it now
   * (and after every reconnect). A queue it already consumes is left as is.
   *
   * @returns false when it already consumed the queue
   */
  async addQueue(queue: TaskQueue): Promise<boolean> {
    if (this.queues.has(queue.name)) {
      return false;
    }
    this.queues.set(queue.name, queue);
    const channel = this.current;
    if (channel) {
      try {
        await this.consume(channel, queue);
      } catch (error) {
        this.queues.delete(queue.name);
        throw error;
      }
    }
    return true;
  }

  /**
   * Celery's `cancel_consumer`: stops consuming the queue. Tasks from it
   * that are running finish and are acked on the channel that delivered
   * them, which stays open.
   *
   * @returns false when it did not consume the queue
   */
  async cancelQueue(name: string): Promise<boolean> {
    if (!this.queues.delete(name)) {
      return false;
    }
    const cancelled = this.consumers.filter(({ queue }) => queue === name);
    this.consumers = this.consumers.filter(({ queue }) => queue !== name);
    await Promise.all(cancelled.map(({ channel, tag }) => channel.cancel(tag)));
    return true;
  }

  // Runs on every (re)connect, on the new raw channel: acks must go to the
  // channel that delivered the message, so each delivery keeps its channel.
  private async setupConsumers(channel: ConfirmChannel): Promise<void> {
    // Celery 5.5's worker_detect_quorum_queues: quorum queues refuse global
    // QoS (540 NOT_IMPLEMENTED), so the prefetch is set per consumer.
    await this.prefetch.reset(channel, usesGlobalQos(this.queues.values()));
    this.consumerChannel = this.consumerChannelFor(channel);
    this.consumers = [];
    this.current = channel;
    for (const queue of this.queues.values()) {
      await this.consume(channel, queue);
    }
  }

  private async consume(
    channel: ConfirmChannel,
    queue: TaskQueue,
  ): Promise<void> {
    const dropped = await declareQueue(channel, queue);
    if (dropped.length > 0) {
      this.logger.warn?.(
        `quorum queue ${queue.name} declared without ${dropped.join(', ')}: quorum queues do not support it`,
      );
    }
    const consumer = this.consumerChannel ?? this.consumerChannelFor(channel);
    const { consumerTag } = await channel.consume(
      queue.name,
      (message) => {
        if (message) {
          consumer.acks.track(message);
          this.inFlight += 1;
          void this.deliveries
            .handle(consumer, queue.name, message)
            .then(this.settleOne);
        }
      },
      { noAck: false },
    );
    this.consumers.push({ channel, tag: consumerTag, queue: queue.name });
  }

  private consumerChannelFor(channel: ConfirmChannel): ConsumerChannel {
    return {
      acks: new AckBatcher(channel),
      holdPrefetch: () => this.prefetch.hold(channel),
    };
  }

  private get companions(): readonly ConnectionCompanion[] {
    return this.options.companions ?? [];
  }

  private whenIdle(): Promise<void> {
    return this.inFlight === 0
      ? Promise.resolve()
      : new Promise((resolve) => this.idle.push(resolve));
  }
}
