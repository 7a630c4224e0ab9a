import type { MessageHandler } from '@nestjs/microservices';
import type { ConsumeMessage } from 'amqplib';
import { isObservable, lastValueFrom } from 'rxjs';
import type { TaskMessage } from '../protocol/celery-message';
import { decodeTaskMessage } from '../protocol/task-message.codec';
import {
  AmqpSettlement,
  AmqpTaskDelivery,
  type ConsumerChannel,
  deliveryInfo,
} from './amqp-task-delivery';
import { CeleryContext } from './celery.context';
import { deliveryLimitReason } from './delivery-limit';
import type {
  TaskDelivery,
  TaskDispatcher,
  TaskInvoker,
  UndecodableDelivery,
} from './task-delivery';

/** What {@link DeliveryHandler} needs from its server. */
export interface DeliveryHandlerOptions {
  dispatcher: TaskDispatcher;
  /** Deliveries of one message before it is dead-lettered; 0: no limit. */
  deliveryLimit: number;
  /** The Nest handler registered for a task name, or null. */
  handlerOf: (task: string) => MessageHandler | null;
  /** Logs a delivery the dispatcher failed to settle (a bug). */
  onError: (message: string) => void;
}

/**
 * Turns one raw delivery into a decoded task and hands it to the worker's
 * dispatcher with the invoker of its `@EventPattern` handler; a message
 * that does not decode, or is past the delivery limit, goes to
 * `rejectUndecodable` instead. Never rejects: every delivery is settled.
 */
export class DeliveryHandler {
  // Handlers by task name: Nest's own lookup parses each pattern as JSON.
  private readonly handlers = new Map<string, MessageHandler | null>();

  constructor(private readonly options: DeliveryHandlerOptions) {}

  async handle(
    consumer: ConsumerChannel,
    queue: string,
    raw: ConsumeMessage,
  ): Promise<void> {
    const { dispatcher } = this.options;
    let settlement: AmqpSettlement | undefined;
    try {
      const decoded = decodeTaskMessage(raw.content, raw.properties);
      const unrunnable = decoded.ok
        ? this.overDeliveryLimit(decoded.message, raw)
        : decoded;
      if (unrunnable) {
        const undecodable = new AmqpSettlement(raw, consumer);
        settlement = undecodable;
        await dispatcher.rejectUndecodable({
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
      await dispatcher.dispatch(
        delivery,
        handler ? invokerFor(handler, delivery) : undefined,
      );
    } catch (error) {
      // The dispatcher settles every delivery it is given; reaching here is a
      // bug, and requeueing would loop it, so the message is rejected.
      this.options.onError(
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
      this.options.deliveryLimit,
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
      handler = this.options.handlerOf(task);
      this.handlers.set(task, handler);
    }
    return handler;
  }
}

function invokerFor(
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
