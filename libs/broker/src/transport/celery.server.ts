import {
  CustomTransportStrategy,
  MessageHandler,
  Server,
} from '@nestjs/microservices';
import type { ConfirmChannel, ConsumeMessage } from 'amqplib';
import {
  type AmqpConnectionManager,
  type ChannelWrapper,
  connect,
} from 'amqp-connection-manager';
import { isObservable, lastValueFrom } from 'rxjs';
import {
  type ControlHandler,
  PidboxConsumer,
} from '../control/pidbox.consumer';
import { EventDispatcher } from '../events/event-dispatcher';
import {
  type WorkerCounters,
  WorkerHeartbeat,
} from '../events/worker-heartbeat';
import { LamportClock } from '../control/lamport-clock';
import { decodeTaskMessage } from '../protocol/task-message.codec';
import {
  declareQueue,
  defaultTaskQueue,
  queueAsDict,
  type TaskQueue,
} from '../topology/task-queue';
import { type TaskQueueType, usesGlobalQos } from '../topology/queue-type';
import { AckBatcher } from './ack-batcher';
import {
  AmqpSettlement,
  AmqpTaskDelivery,
  type ConsumerChannel,
  deliveryInfo,
} from './amqp-task-delivery';
import { amqpSocketOptions } from './amqp-socket';
import {
  type BrokerEndpoint,
  brokerEndpoints,
  maskBrokerUrls,
} from './broker-urls';
import { deliveryLimitReason } from './delivery-limit';
import { coalesceWritesOf } from './amqp-write-coalescing';
import { CeleryContext } from './celery.context';
import type {
  TaskDelivery,
  TaskDispatcher,
  TaskInvoker,
  UndecodableDelivery,
} from './task-delivery';
import type { TaskMessage } from '../protocol/celery-message';

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
   * Celery's remote control: with it, the worker consumes
   * `<hostname>.celery.pidbox` and answers `celery inspect` / `control`.
   */
  control?: { hostname: string; handler: ControlHandler };
  /**
   * Celery's events (§D.1–D.3): heartbeats always, task events when
   * `taskEvents`; `onStart` hands the running dispatcher to the executor.
   */
  events?: {
    hostname: string;
    taskEvents: boolean;
    counters: () => WorkerCounters;
    onStart?: (events: {
      dispatcher: EventDispatcher;
      heartbeat: WorkerHeartbeat;
    }) => void;
  };
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
  private pidbox?: PidboxConsumer;
  private eventDispatcher?: EventDispatcher;
  private heartbeat?: WorkerHeartbeat;
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
  // Handlers by task name: Nest's own lookup parses each pattern as JSON.
  private readonly handlers = new Map<string, MessageHandler | null>();
  /** The channel the consumers run on now, for consumers added at runtime. */
  private current?: ConfirmChannel;
  // Channel generation and ETA holds on it: a hold taken on a channel that
  // has since been replaced must not change the new channel's prefetch.
  private generation = 0;
  private held = 0;
  // One logical clock for the node: pidbox replies and events share it.
  private readonly clock = new LamportClock();

  // Per channel (global) QoS, unless it consumes a quorum queue.
  private globalQos = true;

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
    const { control, events } = this.options;
    const clock = this.clock;
    if (control) {
      this.pidbox = new PidboxConsumer(this.connection, { ...control, clock });
    }
    this.channel
      .waitForConnect()
      .then(() => this.pidbox?.start())
      .then(() => events && this.startEvents(events, clock))
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
    await this.pidbox?.stop().catch(() => undefined);
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
    await this.heartbeat?.stop();
    await this.eventDispatcher?.close();
    await this.channel?.close();
    await this.connection?.close();
  }

  private async startEvents(
    events: NonNullable<CeleryServerOptions['events']>,
    clock: LamportClock,
  ): Promise<void> {
    if (!this.connection) {
      return;
    }
    const dispatcher = new EventDispatcher(this.connection, {
      hostname: events.hostname,
      taskEvents: events.taskEvents,
      clock,
    });
    await dispatcher.start();
    this.eventDispatcher = dispatcher;
    this.heartbeat = new WorkerHeartbeat(dispatcher, events.counters);
    events.onStart?.({ dispatcher, heartbeat: this.heartbeat });
    await this.heartbeat.start();
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
    return this.options.prefetch + this.held;
  }

  /** The node's Lamport clock now. */
  clockValue(): number {
    return this.clock.value;
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
    this.globalQos = usesGlobalQos(this.queues.values());
    await channel.prefetch(this.options.prefetch, this.globalQos);
    this.consumerChannel = this.consumerChannelFor(channel);
    this.generation += 1;
    this.held = 0;
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
          void this.handleDelivery(consumer, queue.name, message).then(
            this.settleOne,
          );
        }
      },
      { noAck: false },
    );
    this.consumers.push({ channel, tag: consumerTag, queue: queue.name });
  }

  private consumerChannelFor(channel: ConfirmChannel): ConsumerChannel {
    return {
      acks: new AckBatcher(channel),
      holdPrefetch: () => this.holdPrefetch(channel),
    };
  }

  private whenIdle(): Promise<void> {
    return this.inFlight === 0
      ? Promise.resolve()
      : new Promise((resolve) => this.idle.push(resolve));
  }

  // Never rejects: whatever goes wrong settles the message.
  private async handleDelivery(
    consumer: ConsumerChannel,
    queue: string,
    raw: ConsumeMessage,
  ): Promise<void> {
    let settlement: AmqpSettlement | undefined;
    try {
      const decoded = decodeTaskMessage(raw.content, raw.properties);
      const unrunnable = decoded.ok
        ? this.overDeliveryLimit(decoded.message, raw)
        : decoded;
      if (unrunnable) {
        const undecodable = new AmqpSettlement(raw, consumer);
        settlement = undecodable;
        await this.options.dispatcher.rejectUndecodable({
          ...unrunnable,
          content: raw.content,
          delivery: deliveryInfo(raw),
          queue,
          raw,
          ack: () => undecodable.ack(),
          reject: (requeue) => undecodable.reject(requeue),
        });
        return;
      }
      if (!decoded.ok) {
        return; // unrunnable above; this narrows the type
      }
      const delivery = new AmqpTaskDelivery(
        decoded.message,
        queue,
        raw,
        consumer,
      );
      settlement = delivery;
      const handler = this.handlerFor(decoded.message.headers.task);
      await this.options.dispatcher.dispatch(
        delivery,
        handler ? this.invokerFor(handler, delivery) : undefined,
      );
    } catch (error) {
      // The dispatcher settles every delivery it is given; reaching here is a
      // bug, and requeueing would loop it, so the message is rejected.
      this.logger.error(
        `delivery ${raw.fields.deliveryTag} from ${queue} failed: ${String(error)}`,
      );
      (settlement ?? new AmqpSettlement(raw, consumer)).reject(false);
    }
  }

  // A poison message (one that keeps killing its worker) past the limit.
  private overDeliveryLimit(
    message: TaskMessage,
    raw: ConsumeMessage,
  ):
    | Pick<UndecodableDelivery, 'reason' | 'taskId' | 'task' | 'excType'>
    | undefined {
    const reason = deliveryLimitReason(
      raw.properties,
      this.options.deliveryLimit ?? 0,
    );
    return reason === undefined
      ? undefined
      : {
          reason,
          taskId: message.headers.id,
          task: message.headers.task,
          excType: 'DeliveryLimitExceeded',
        };
  }

  private handlerFor(task: string): MessageHandler | null {
    let handler = this.handlers.get(task);
    if (handler === undefined) {
      handler = this.getHandlerByPattern(task);
      this.handlers.set(task, handler);
    }
    return handler;
  }

  private holdPrefetch(channel: ConfirmChannel): () => void {
    // A per-consumer prefetch applies to consumers created after it, never
    // to running ones: with quorum queues a held ETA message keeps its slot
    // (as in Celery 5.5), which is why long ETAs are handed off instead.
    if (!this.globalQos) {
      return () => undefined;
    }
    const generation = this.generation;
    const apply = () => {
      if (generation === this.generation) {
        channel
          .prefetch(this.options.prefetch + this.held, true)
          .catch(() => undefined);
      }
    };
    this.held += 1;
    apply();
    let released = false;
    return () => {
      if (released || generation !== this.generation) {
        return;
      }
      released = true;
      this.held -= 1;
      apply();
    };
  }

  private invokerFor(
    handler: MessageHandler,
    delivery: TaskDelivery,
  ): TaskInvoker {
    const context = new CeleryContext(delivery);
    return async (data: unknown): Promise<unknown> => {
      const result: unknown = await handler(data, context);
      // Interceptors and exception filters answer with an Observable; a
      // handler's own value needs no round trip through one.
      return isObservable(result)
        ? lastValueFrom(result, { defaultValue: undefined })
        : result;
    };
  }
}
