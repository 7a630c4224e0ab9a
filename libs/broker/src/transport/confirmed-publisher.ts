import type { ChannelWrapper } from 'amqp-connection-manager';
import type { TaskMessage } from '../protocol/celery-message';
import { encodeTaskMessageUntyped } from '../protocol/task-message.codec';
import { withPublishSpan } from '../tracing/publish-span';
import { DELAYED_DELIVERY_ENTRY } from '../topology/native-delayed-delivery';
import { nativeDelayRoutingKey } from './native-countdown';
import { CELERY_HEADERS } from './frame-publish';
import {
  asBrokerUnavailable,
  BatchPublishError,
  BrokerUnavailableError,
} from './broker-unavailable.error';
import {
  type CeleryClientOptions,
  publishTimeoutMsOf,
} from './celery-client.options';
import type { PublisherChannel } from './publisher-channel';

/**
 * Confirm time allowed per task publish already in flight (or in the same
 * batch) on top of `publishTimeoutMs`: a floor of 2000 confirms a second.
 * A message waits behind every one before it on the channel, so a fixed
 * timeout failed a batch queued behind a few thousand others (503) while
 * the broker was merely busy.
 */
const CONFIRM_BUDGET_MS_PER_MESSAGE = 0.5;

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
 * Publishes Celery task messages (celery-protocol.md §A.3) on the
 * publisher channel: to the default exchange with the queue as routing key,
 * as Celery does (or to the delayed-delivery entry for a native countdown),
 * after the queue's declaration, resolving only on the broker's confirm
 * within a deadline that grows with what is already in flight.
 */
export class ConfirmedPublisher {
  private readonly publishObservers: ((event: TaskPublished) => void)[] = [];
  // Task publishes handed to the channel and not yet settled.
  private inFlight = 0;

  constructor(
    private readonly channel: PublisherChannel,
    private readonly options: CeleryClientOptions,
  ) {}

  /** Calls `observer` after every task publish, confirmed or failed. */
  observePublishes(observer: (event: TaskPublished) => void): void {
    this.publishObservers.push(observer);
  }

  /**
   * One task message; resolves when the broker confirms it.
   *
   * @throws BrokerUnavailableError
   */
  publishTask(message: TaskMessage, queue: string): Promise<void> {
    return withPublishSpan(message, queue, () =>
      this.publishConfirmed(message, queue),
    );
  }

  /**
   * Many task messages at once; see `CeleryClient.publishTasks`.
   *
   * @throws BatchPublishError naming the requests not confirmed
   * @throws BrokerUnavailableError when nothing could be sent
   */
  async publishTasks(requests: readonly PublishRequest[]): Promise<void> {
    if (requests.length === 0) {
      return;
    }
    const started = performance.now();
    let channel: ChannelWrapper;
    try {
      this.channel.assertAvailable();
      channel = this.channel.ensure();
      const queues = new Set(requests.map(({ queue }) => queue));
      await Promise.all(
        [...queues].map((queue) => this.channel.declareQueue(channel, queue)),
      );
    } catch (error) {
      for (const { message, queue } of requests) {
        this.report(message, queue, 'failed', started);
      }
      throw asBrokerUnavailable(error, publishTimeoutMsOf(this.options));
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
      publishTimeoutMsOf(this.options) +
        (this.inFlight + count) * CONFIRM_BUDGET_MS_PER_MESSAGE,
    );
  }

  private async publishConfirmed(
    message: TaskMessage,
    queue: string,
  ): Promise<void> {
    const started = performance.now();
    try {
      this.channel.assertAvailable();
      const channel = this.channel.ensure();
      try {
        await this.channel.declareQueue(channel, queue);
      } catch (error) {
        throw asBrokerUnavailable(error, publishTimeoutMsOf(this.options));
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
    const delayedKey = this.channel.delaysNatively
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
}
