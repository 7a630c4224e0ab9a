import type { ConfirmChannel, ConsumeMessage, Message } from 'amqplib';
import { encodeTaskMessage, type TaskMessage } from '@celeriac/broker';

/**
 * An amqplib channel that records what a consumer sends the broker, as the
 * broker would see it: `ack 3 multiple`, `nack 4 requeue`, `prefetch 3 global`.
 */
export class RecordingChannel {
  readonly sent: string[] = [];

  ack(message: Message, allUpTo = false): void {
    this.sent.push(
      `ack ${message.fields.deliveryTag}${allUpTo ? ' multiple' : ''}`,
    );
  }

  nack(message: Message, _allUpTo: boolean, requeue: boolean): void {
    this.sent.push(
      `nack ${message.fields.deliveryTag}${requeue ? ' requeue' : ''}`,
    );
  }

  prefetch(count: number, global: boolean): Promise<void> {
    this.sent.push(`prefetch ${count}${global ? ' global' : ''}`);
    return Promise.resolve();
  }
}

export const asChannel = (fake: RecordingChannel) =>
  fake as unknown as ConfirmChannel;

/** A delivery of `message` as amqplib hands it to a consumer. */
export function consumed(
  message: TaskMessage,
  deliveryTag = 1,
  headers: Record<string, unknown> = {},
): ConsumeMessage {
  const { content, options } = encodeTaskMessage(message);
  return {
    content,
    fields: {
      deliveryTag,
      redelivered: false,
      exchange: '',
      routingKey: 'fake-queue',
      consumerTag: 'fake-consumer',
    },
    properties: {
      ...options,
      headers: { ...options.headers, ...headers },
    },
  } as unknown as ConsumeMessage;
}
