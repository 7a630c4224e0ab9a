import type { ConsumeMessage } from 'amqplib';
import type { DeliveryInfo, TaskMessage } from '../protocol/celery-message';
import type { AckBatcher } from './ack-batcher';
import type { TaskDelivery } from './task-delivery';

/** What the deliveries of one consumer channel share. */
export interface ConsumerChannel {
  readonly acks: AckBatcher;
  /** Raises the channel's prefetch by one until the returned function runs. */
  holdPrefetch(): () => void;
}

/**
 * Settles one delivery through its channel's ack batcher, at most once. The
 * methods live on the prototype, so a delivery costs one object, not a set
 * of closures.
 */
export class AmqpSettlement {
  private settled = false;
  private wasAcked = false;

  constructor(
    /** The message as received: content and properties, for dead-lettering. */
    readonly raw: ConsumeMessage,
    protected readonly consumer: ConsumerChannel,
  ) {}

  get acknowledged(): boolean {
    return this.wasAcked;
  }

  ack(): void {
    if (this.settle()) {
      this.wasAcked = true;
      this.consumer.acks.ack(this.raw);
    }
  }

  reject(requeue: boolean): void {
    if (!this.settle()) {
      return;
    }
    try {
      this.consumer.acks.reject(this.raw, requeue);
    } catch {
      // The channel closed since delivery: the broker redelivers the message.
    }
  }

  private settle(): boolean {
    if (this.settled) {
      return false;
    }
    this.settled = true;
    return true;
  }
}

/** One task message delivered on a consumer channel. */
export class AmqpTaskDelivery extends AmqpSettlement implements TaskDelivery {
  constructor(
    readonly message: TaskMessage,
    readonly queue: string,
    raw: ConsumeMessage,
    consumer: ConsumerChannel,
  ) {
    super(raw, consumer);
  }

  get delivery(): DeliveryInfo {
    return deliveryInfo(this.raw);
  }

  holdPrefetch(): () => void {
    return this.consumer.holdPrefetch();
  }
}

/** The routing facts of a delivery, in celeriac's names. */
export function deliveryInfo(raw: ConsumeMessage): DeliveryInfo {
  return {
    exchange: raw.fields.exchange,
    routingKey: raw.fields.routingKey,
    redelivered: raw.fields.redelivered,
    deliveryTag: raw.fields.deliveryTag,
  };
}
