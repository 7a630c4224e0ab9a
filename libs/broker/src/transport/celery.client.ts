import { Logger } from '@nestjs/common';
import { ClientProxy, ReadPacket, WritePacket } from '@nestjs/microservices';
import type { ConfirmChannel } from 'amqplib';
import {
  type AmqpConnectionManager,
  type ChannelWrapper,
  connect,
} from 'amqp-connection-manager';
import { PIDBOX_EXCHANGE } from '../control/pidbox.topology';
import { toAmqpHeaders } from '../protocol/amqp-headers';
import type { TaskMessage } from '../protocol/celery-message';
import {
  type DeadLetter,
  deadLetterPublishOptions,
} from '../protocol/dead-letter-message';
import { encodeTaskMessageUntyped } from '../protocol/task-message.codec';
import { withPublishSpan } from '../tracing/publish-span';
import { declareTaskQueue } from '../topology/celery-topology';
import {
  DEAD_LETTER_EXCHANGE,
  declareDeadLetter,
} from '../topology/dead-letter';
import {
  bindQueueToDelayedDelivery,
  declareNativeDelayedDelivery,
  DELAYED_DELIVERY_ENTRY,
} from '../topology/native-delayed-delivery';
import type { TaskQueueType } from '../topology/queue-type';
import { amqpSocketOptions } from './amqp-socket';
import {
  type BrokerEndpoint,
  brokerEndpoints,
  maskBrokerUrls,
} from './broker-urls';
import {
  type CountdownDelivery,
  nativeDelayRoutingKey,
} from './native-countdown';
import { coalesceWritesOf } from './amqp-write-coalescing';
import { CELERY_HEADERS, publishFramesOn } from './frame-publish';
import {
  asBrokerUnavailable,
  BatchPublishError,
  BrokerUnavailableError,
} from './broker-unavailable.error';

/** Options of the publishing side. */
export interface CeleryClientOptions {
  /** One broker, or several separated by `;` to fail over between. */
  url: string;
  /** Celery's `task_default_queue_type`; classic by default. */
  queueType?: TaskQueueType;
  /** `native`: ETAs go through the delayed-delivery levels; `beat` by default. */
  countdownDelivery?: CountdownDelivery;
  /** How long a publish may wait for the broker's confirm. */
  publishTimeoutMs?: number;
  /** Shown in RabbitMQ's connection list. */
  connectionName?: string;
  /**
   * Reject a publish at once, instead of buffering it for up to
   * `publishTimeoutMs`, while the connection is known to be lost (a
   * connect failed or dropped and none succeeded since). The api sets it
   * so a submit answers 503 at once when readiness already says down; the
   * worker leaves it off and waits for the broker to come back.
   */
  failFastWhileDown?: boolean;
}

const DEFAULT_PUBLISH_TIMEOUT_MS = 10_000;

/**
 * Confirm time allowed per task publish already in flight (or in the same
 * batch) on top of `publishTimeoutMs`: a floor of 2000 confirms a second.
 * A message waits behind every one before it on the channel, so a fixed
 * timeout failed a batch queued behind a few thousand others (503) while
 * the broker was merely busy.
 */
const CONFIRM_BUDGET_MS_PER_MESSAGE = 0.5;

/** A cast nobody consumed for this long is dropped (Celery sends `expires`). */
const CONTROL_TTL_SECONDS = 10;

/** What `client.emit(taskName, request)` carries. */
export interface PublishRequest {
  message: TaskMessage;
  queue: string;
}

/** One task publish and how it ended, for metrics. */
export interface TaskPublished {
  task: string;
  queue: string;
  /** `confirmed` by the broker, or `failed` (nacked, or the publish threw). */
  outcome: 'confirmed' | 'failed';
  /** From the publish call to the broker's confirm (or the failure). */
  seconds: number;
}

/**
 * A Nest `ClientProxy` that publishes Celery task messages
 * (celery-protocol.md §A.3): to the default exchange with the queue as
 * routing key, as Celery does, declaring the queue's topology once per
 * connection, and resolving only on the broker's publisher confirm.
 *
 * @example
 * await client.publishTask(buildTaskMessage({ task: 'add_task', id, args: [1, 2] }), 'default-sum');
 */
export class CeleryClient extends ClientProxy {
  private readonly logger = new Logger(CeleryClient.name);
  private connection?: AmqpConnectionManager;
  private channel?: ChannelWrapper;
  private readonly declaredQueues = new Map<string, Promise<void>>();
  private pidboxDeclared?: Promise<void>;
  private deadLetterDeclared?: Promise<void>;
  private readonly publishObservers: ((event: TaskPublished) => void)[] = [];
  // Why the last connect attempt failed or the connection dropped; cleared on connect.
  private lostReason?: string;

  private delayedDeliveryDeclared?: Promise<void>;
  // Task publishes handed to the channel and not yet settled.
  private inFlight = 0;

  // Read once, at construction: a bad TLS parameter stops the app at start.
  private readonly endpoints: BrokerEndpoint[];

  constructor(private readonly options: CeleryClientOptions) {
    super();
    this.endpoints = brokerEndpoints(
      options.url,
      amqpSocketOptions(options.connectionName ?? 'celeriac-client'),
    );
  }

  /** Whether an ETA goes through RabbitMQ's delayed-delivery levels. */
  get delaysNatively(): boolean {
    return this.options.countdownDelivery === 'native';
  }

  /** Resolves once the broker is reachable; publishing does not wait for it. */
  connect(): Promise<void> {
    return this.ensureChannel().waitForConnect();
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

  unwrap<T>(): T {
    if (!this.connection) {
      throw new Error('CeleryClient is not connected');
    }
    return this.connection as T;
  }

  /** Whether the broker connection is up. */
  isConnected(): boolean {
    return this.connection?.isConnected() ?? false;
  }

  /**
   * Throws when `failFastWhileDown` is set and the connection is known to
   * be lost, so a caller can refuse before writing anything; the same
   * state `isConnected` (readiness) reports.
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

  /** Calls `observer` after every `publishTask`, confirmed or failed. */
  observePublishes(observer: (event: TaskPublished) => void): void {
    this.publishObservers.push(observer);
  }

  /**
   * Publishes one task message; resolves when the broker confirms it.
   *
   * @throws BrokerUnavailableError when the broker is down, does not
   *   confirm within `publishTimeoutMs`, or refuses the message
   */
  publishTask(message: TaskMessage, queue: string): Promise<void> {
    return withPublishSpan(message, queue, () =>
      this.publishConfirmed(message, queue),
    );
  }

  /**
   * Publishes many task messages at once (a batch, a canvas's steps): one
   * availability check and one declaration per distinct queue, then every
   * message without waiting for the one before; resolves once the broker
   * confirmed them all. Every publish settles before it rejects, so the
   * caller can take back what was not sent. Each may wait for its confirm
   * `publishTimeoutMs` plus 0.5 ms for every task publish in flight before
   * it and in the batch, so a batch behind others is not failed for the
   * queue's length alone.
   *
   * @throws BatchPublishError naming the requests not confirmed (the others
   *   are queued) once every publish settled
   * @throws BrokerUnavailableError when nothing could be sent (down, or a
   *   queue's declaration failed)
   */
  async publishTasks(requests: readonly PublishRequest[]): Promise<void> {
    if (requests.length === 0) {
      return;
    }
    const started = performance.now();
    let channel: ChannelWrapper;
    try {
      this.assertAvailable();
      channel = this.ensureChannel();
      const queues = new Set(requests.map(({ queue }) => queue));
      await Promise.all(
        [...queues].map((queue) => this.declareQueue(channel, queue)),
      );
    } catch (error) {
      for (const { message, queue } of requests) {
        this.report(message, queue, 'failed', started);
      }
      throw asBrokerUnavailable(error, this.publishTimeoutMs());
    }
    const timeoutMs = this.confirmTimeoutMs(requests.length);
    this.inFlight += requests.length;
    const outcomes = await Promise.allSettled(
      requests.map(({ message, queue }) =>
        withPublishSpan(message, queue, () =>
          this.publishOne(channel, message, queue, timeoutMs),
        ).then(
          () => {
            this.inFlight--;
            this.report(message, queue, 'confirmed', started);
          },
          (error: unknown) => {
            this.inFlight--;
            this.report(message, queue, 'failed', started);
            throw error;
          },
        ),
      ),
    );
    const failedIndexes: number[] = [];
    let first: BrokerUnavailableError | undefined;
    outcomes.forEach((outcome, index) => {
      if (outcome.status === 'rejected') {
        failedIndexes.push(index);
        first ??= asBrokerUnavailable(outcome.reason, timeoutMs);
      }
    });
    if (first) {
      throw new BatchPublishError(failedIndexes, first);
    }
  }

  // publishTimeoutMs, plus a budget for every task publish ahead of these
  // on the channel and for the others of the same batch.
  private confirmTimeoutMs(count: number): number {
    return Math.ceil(
      this.publishTimeoutMs() +
        (this.inFlight + count) * CONFIRM_BUDGET_MS_PER_MESSAGE,
    );
  }

  private async publishConfirmed(
    message: TaskMessage,
    queue: string,
  ): Promise<void> {
    const started = performance.now();
    try {
      this.assertAvailable();
      const channel = this.ensureChannel();
      try {
        await this.declareQueue(channel, queue);
      } catch (error) {
        throw asBrokerUnavailable(error, this.publishTimeoutMs());
      }
      const timeoutMs = this.confirmTimeoutMs(1);
      this.inFlight++;
      try {
        await this.publishOne(channel, message, queue, timeoutMs);
      } finally {
        this.inFlight--;
      }
    } catch (error) {
      this.report(message, queue, 'failed', started);
      throw error;
    }
    this.report(message, queue, 'confirmed', started);
  }

  // Encodes and publishes one message of a declared queue; only what the
  // broker did (or did not do) means it is unavailable, not an encoding error.
  private publishOne(
    channel: ChannelWrapper,
    message: TaskMessage,
    queue: string,
    timeoutMs: number,
  ): Promise<void> {
    const encoded = encodeTaskMessageUntyped(message);
    const content = encoded.content;
    // The channel types the headers as it writes them (frame-publish.ts);
    // amqp-connection-manager takes `timeout` off before amqplib sees it.
    const options = {
      ...encoded.options,
      timeout: timeoutMs,
      [CELERY_HEADERS]: true,
    };
    const delayedKey = this.delaysNatively
      ? nativeDelayRoutingKey(message, queue)
      : undefined;
    const published =
      delayedKey === undefined
        ? channel.publish('', queue, content, options)
        : channel.publish(DELAYED_DELIVERY_ENTRY, delayedKey, content, options);
    return published.then(
      () => undefined,
      (error: unknown) => {
        throw asBrokerUnavailable(error, timeoutMs);
      },
    );
  }

  private report(
    message: TaskMessage,
    queue: string,
    outcome: TaskPublished['outcome'],
    started: number,
  ): void {
    if (this.publishObservers.length === 0) {
      return;
    }
    const seconds = (performance.now() - started) / 1000;
    for (const observe of this.publishObservers) {
      observe({ task: message.headers.task, queue, outcome, seconds });
    }
  }

  /**
   * Republishes a message that can never run, unchanged, to the
   * dead-letter exchange with the reason in its headers
   * (see {@link deadLetterPublishOptions}); resolves when the broker
   * confirms it, so the caller acks the original only once it is safe.
   *
   * @example
   * await client.deadLetter({ content, properties, reason, queue });
   * delivery.ack();
   */
  async deadLetter(letter: DeadLetter): Promise<void> {
    const channel = this.ensureChannel();
    await this.declareDeadLetter(channel);
    await channel.publish(
      DEAD_LETTER_EXCHANGE,
      '',
      letter.content,
      deadLetterPublishOptions(letter, new Date()),
    );
    this.logger.log({
      msg: 'dead-lettered',
      reason: letter.reason,
      queue: letter.queue,
      taskId: letter.taskId,
      task: letter.task,
    });
  }

  /**
   * A remote-control cast to every worker (Celery's `app.control.broadcast`
   * without replies), e.g. `revoke`: published on the `celery.pidbox` fanout.
   */
  async broadcastControl(
    method: string,
    args: Record<string, unknown>,
    destination: string[] | null = null,
  ): Promise<void> {
    const channel = this.ensureChannel();
    if (!this.pidboxDeclared) {
      this.pidboxDeclared = channel.addSetup((raw: ConfirmChannel) =>
        raw
          .assertExchange(PIDBOX_EXCHANGE, 'fanout', { durable: false })
          .then(() => undefined),
      );
      this.pidboxDeclared.catch(() => (this.pidboxDeclared = undefined));
    }
    await this.pidboxDeclared;
    const body = {
      method,
      arguments: args,
      destination,
      pattern: null,
      matcher: null,
    };
    await channel.publish(
      PIDBOX_EXCHANGE,
      '',
      Buffer.from(JSON.stringify(body)),
      {
        contentType: 'application/json',
        contentEncoding: 'utf-8',
        deliveryMode: 1,
        headers: toAmqpHeaders({
          clock: 0,
          expires: Math.floor(Date.now() / 1000) + CONTROL_TTL_SECONDS,
        }),
      },
    );
  }

  protected async dispatchEvent<T = unknown>(packet: ReadPacket): Promise<T> {
    const { message, queue } = packet.data as PublishRequest;
    await this.publishTask(message, queue);
    return undefined as T;
  }

  // Celery answers through the result backend, never by reply message.
  protected publish(
    _packet: ReadPacket,
    callback: (packet: WritePacket) => void,
  ): () => void {
    callback({
      err: new Error(
        'CeleryClient supports emit() only: results are read from the result backend',
      ),
      isDisposed: true,
    });
    return () => undefined;
  }

  private publishTimeoutMs(): number {
    return this.options.publishTimeoutMs ?? DEFAULT_PUBLISH_TIMEOUT_MS;
  }

  // While the broker is down, publishes are buffered and fail after
  // publishTimeoutMs, so callers get an error instead of a hang.
  private ensureChannel(): ChannelWrapper {
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
      publishTimeout: this.publishTimeoutMs(),
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

  // A setup re-runs on every reconnect, so the topology survives a broker
  // restart; the map makes it one declaration per queue per client.
  private declareQueue(channel: ChannelWrapper, queue: string): Promise<void> {
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

  // As declareQueue: once per client, re-run on reconnect; a failed
  // declaration is forgotten so the next dead letter tries again.
  private declareDeadLetter(channel: ChannelWrapper): Promise<void> {
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
}
