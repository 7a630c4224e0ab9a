import { Logger } from '@nestjs/common';
import { ClientProxy, ReadPacket, WritePacket } from '@nestjs/microservices';
import { PIDBOX_EXCHANGE } from '../control/pidbox.topology';
import { toAmqpHeaders } from '../protocol/amqp-headers';
import type { TaskMessage } from '../protocol/celery-message';
import {
  type DeadLetter,
  deadLetterPublishOptions,
} from '../protocol/dead-letter-message';
import { DEAD_LETTER_EXCHANGE } from '../topology/dead-letter';
import type { CeleryClientOptions } from './celery-client.options';
import {
  ConfirmedPublisher,
  type PublishRequest,
  type TaskPublished,
} from './confirmed-publisher';
import { PublisherChannel } from './publisher-channel';

// Moved along the client's seams; still importable from here.
export type { CeleryClientOptions } from './celery-client.options';
export type { PublishRequest, TaskPublished } from './confirmed-publisher';

/** A cast nobody consumed for this long is dropped (Celery sends `expires`). */
const CONTROL_TTL_SECONDS = 10;

/**
 * A Nest `ClientProxy` that publishes Celery task messages
 * (celery-protocol.md §A.3): to the default exchange with the queue as
 * routing key, as Celery does, declaring the queue's topology once per
 * connection, and resolving only on the broker's publisher confirm.
 * The connection and declarations live in {@link PublisherChannel}, the
 * confirmed publishing in {@link ConfirmedPublisher}.
 *
 * @example
 * await client.publishTask(buildTaskMessage({ task: 'add_task', id, args: [1, 2] }), 'default-sum');
 */
export class CeleryClient extends ClientProxy {
  private readonly logger = new Logger(CeleryClient.name);
  private readonly channel: PublisherChannel;
  private readonly publisher: ConfirmedPublisher;

  constructor(options: CeleryClientOptions) {
    super();
    this.channel = new PublisherChannel(options, this.logger);
    this.publisher = new ConfirmedPublisher(this.channel, options);
  }

  /** Whether an ETA goes through RabbitMQ's delayed-delivery levels. */
  get delaysNatively(): boolean {
    return this.channel.delaysNatively;
  }

  /** Resolves once the broker is reachable; publishing does not wait for it. */
  connect(): Promise<void> {
    return this.channel.ensure().waitForConnect();
  }

  close(): Promise<void> {
    return this.channel.close();
  }

  unwrap<T>(): T {
    const connection = this.channel.currentConnection;
    if (!connection) {
      throw new Error('CeleryClient is not connected');
    }
    return connection as T;
  }

  /** Whether the broker connection is up. */
  isConnected(): boolean {
    return this.channel.isConnected();
  }

  /**
   * Throws when `failFastWhileDown` is set and the connection is known to
   * be lost, so a caller can refuse before writing anything; the same
   * state `isConnected` (readiness) reports.
   *
   * @throws BrokerUnavailableError
   */
  assertAvailable(): void {
    this.channel.assertAvailable();
  }

  /** Calls `observer` after every `publishTask`, confirmed or failed. */
  observePublishes(observer: (event: TaskPublished) => void): void {
    this.publisher.observePublishes(observer);
  }

  /**
   * Publishes one task message; resolves when the broker confirms it.
   *
   * @throws BrokerUnavailableError when the broker is down, does not
   *   confirm within `publishTimeoutMs`, or refuses the message
   */
  publishTask(message: TaskMessage, queue: string): Promise<void> {
    return this.publisher.publishTask(message, queue);
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
  publishTasks(requests: readonly PublishRequest[]): Promise<void> {
    return this.publisher.publishTasks(requests);
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
    const channel = this.channel.ensure();
    await this.channel.declareDeadLetter(channel);
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
    const channel = this.channel.ensure();
    await this.channel.declarePidbox(channel);
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
}
