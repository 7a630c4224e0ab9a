import type { Channel, Message } from 'amqplib';

/**
 * Coalesces the acks of one channel: acks given in the same turn of the
 * event loop leave together, as one `basic.ack` with `multiple` for the run
 * of oldest deliveries that are all acked, and single acks for the rest.
 * Rejects go out at once. Every delivery must be tracked when it arrives,
 * since `multiple` acks everything unsettled up to its tag.
 */
export class AckBatcher {
  // Unsettled delivery tags; tags only grow, so insertion order is tag order.
  private readonly unsettled = new Set<number>();
  private pending: Message[] = [];
  private scheduled = false;

  constructor(private readonly channel: Channel) {}

  /** Call for each delivery as it arrives on this channel. */
  track(message: Message): void {
    this.unsettled.add(message.fields.deliveryTag);
  }

  /** Acks before the next turn of the event loop ends. */
  ack(message: Message): void {
    this.pending.push(message);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
  }

  /** Rejects now; without requeue it goes to the dead-letter exchange. */
  reject(message: Message, requeue: boolean): void {
    this.unsettled.delete(message.fields.deliveryTag);
    this.channel.nack(message, false, requeue);
  }

  /** Sends the acks waiting now (also at shutdown, before the channel closes). */
  flush(): void {
    this.scheduled = false;
    const batch = this.pending;
    this.pending = [];
    if (batch.length === 0) {
      return;
    }
    const acked = new Map(
      batch.map((message) => [message.fields.deliveryTag, message]),
    );
    let upTo: Message | undefined;
    for (const tag of this.unsettled) {
      const message = acked.get(tag);
      if (!message) {
        break;
      }
      upTo = message;
      acked.delete(tag);
      this.unsettled.delete(tag);
    }
    try {
      if (upTo) {
        this.channel.ack(upTo, true);
      }
      for (const [tag, message] of acked) {
        this.unsettled.delete(tag);
        this.channel.ack(message);
      }
    } catch {
      // The channel closed since delivery: the broker redelivers the messages.
    }
  }
}
