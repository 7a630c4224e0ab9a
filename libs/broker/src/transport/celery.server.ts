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
import { lastValueFrom } from 'rxjs';
import type { DeliveryInfo } from '../protocol/celery-message';
import { decodeTaskMessage } from '../protocol/task-message.codec';
import { declareTaskQueue } from '../topology/celery-topology';
import { maskUrl, toAmqplibUrl } from './amqp-url';
import { CeleryContext } from './celery.context';
import type {
  TaskDelivery,
  TaskDispatcher,
  TaskInvoker,
} from './task-delivery';

/** Options of the consuming side. */
export interface CeleryServerOptions {
  url: string;
  queues: string[];
  /** Unacknowledged messages the broker may hand this worker at once. */
  prefetch: number;
  dispatcher: TaskDispatcher;
  /** Shown in RabbitMQ's connection list. */
  connectionName?: string;
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
  private readonly inFlight = new Set<Promise<void>>();
  private consumers: { channel: ConfirmChannel; tag: string }[] = [];

  constructor(private readonly options: CeleryServerOptions) {
    super();
  }

  listen(callback: (error?: unknown) => void): void {
    this.connection = connect([toAmqplibUrl(this.options.url)], {
      heartbeatIntervalInSeconds: 10,
      reconnectTimeInSeconds: 1,
      connectionOptions: {
        clientProperties: {
          connection_name: this.options.connectionName ?? 'celeriac-worker',
        },
      },
    });
    this.connection.on('disconnect', ({ err }: { err?: Error }) => {
      this.logger.warn?.(
        `disconnected from ${maskUrl(this.options.url)}: ${err?.message ?? 'closed'}`,
      );
    });
    this.channel = this.connection.createChannel({
      name: 'celeriac-consumer',
      json: false,
      setup: (channel: ConfirmChannel) => this.setupConsumers(channel),
    });
    this.channel.waitForConnect().then(
      () => callback(),
      (error: unknown) => callback(error),
    );
  }

  /** Stops consuming, waits for running deliveries, then disconnects. */
  async close(): Promise<void> {
    const consumers = this.consumers;
    this.consumers = [];
    await Promise.allSettled(
      consumers.map(({ channel, tag }) => channel.cancel(tag)),
    );
    await Promise.allSettled([...this.inFlight]);
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
    return this.connection?.isConnected() ?? false;
  }

  // Runs on every (re)connect, on the new raw channel: acks must go to the
  // channel that delivered the message, so each delivery keeps its channel.
  private async setupConsumers(channel: ConfirmChannel): Promise<void> {
    await channel.prefetch(this.options.prefetch, true);
    this.consumers = [];
    for (const queue of this.options.queues) {
      await declareTaskQueue(channel, queue);
      const { consumerTag } = await channel.consume(
        queue,
        (message) => {
          if (message) {
            this.track(this.handleDelivery(channel, queue, message));
          }
        },
        { noAck: false },
      );
      this.consumers.push({ channel, tag: consumerTag });
    }
  }

  private track(work: Promise<void>): void {
    this.inFlight.add(work);
    void work.finally(() => this.inFlight.delete(work));
  }

  private async handleDelivery(
    channel: ConfirmChannel,
    queue: string,
    raw: ConsumeMessage,
  ): Promise<void> {
    const settle = settlerFor(channel, raw);
    const delivery: DeliveryInfo = {
      exchange: raw.fields.exchange,
      routingKey: raw.fields.routingKey,
      redelivered: raw.fields.redelivered,
      deliveryTag: raw.fields.deliveryTag,
    };
    try {
      const decoded = decodeTaskMessage(raw.content, raw.properties);
      if (!decoded.ok) {
        await this.options.dispatcher.rejectUndecodable({
          ...decoded,
          content: raw.content,
          delivery,
          queue,
          raw: { content: raw.content, properties: raw.properties },
          ...settle,
        });
        return;
      }
      const taskDelivery: TaskDelivery = {
        message: decoded.message,
        delivery,
        queue,
        raw: { content: raw.content, properties: raw.properties },
        ...settle,
      };
      const handler = this.getHandlerByPattern(decoded.message.headers.task);
      await this.options.dispatcher.dispatch(
        taskDelivery,
        handler ? this.invokerFor(handler, taskDelivery) : undefined,
      );
    } catch (error) {
      // The dispatcher settles every delivery it is given; reaching here is a
      // bug, and requeueing would loop it, so the message is rejected.
      this.logger.error(
        `delivery ${delivery.deliveryTag} from ${queue} failed: ${String(error)}`,
      );
      settle.reject(false);
    }
  }

  private invokerFor(
    handler: MessageHandler,
    delivery: TaskDelivery,
  ): TaskInvoker {
    const context = new CeleryContext(delivery);
    return async (data: unknown): Promise<unknown> => {
      const result: unknown = await handler(data, context);
      return lastValueFrom(this.transformToObservable(result), {
        defaultValue: undefined,
      });
    };
  }
}

/** Ack / reject bound to the delivering channel, at most once. */
function settlerFor(
  channel: ConfirmChannel,
  message: ConsumeMessage,
): Pick<TaskDelivery, 'ack' | 'reject'> {
  let settled = false;
  const once = (settle: () => void) => () => {
    if (settled) {
      return;
    }
    settled = true;
    try {
      settle();
    } catch {
      // The channel closed since delivery: the broker redelivers the message.
    }
  };
  return {
    ack: () => once(() => channel.ack(message))(),
    reject: (requeue: boolean) =>
      once(() => channel.nack(message, false, requeue))(),
  };
}
