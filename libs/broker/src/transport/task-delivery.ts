import type { MessageProperties } from 'amqplib';
import type { DeliveryInfo, TaskMessage } from '../protocol/celery-message';

/** A message exactly as the broker delivered it, for dead-lettering it unchanged. */
export interface RawMessage {
  readonly content: Buffer;
  readonly properties: MessageProperties;
}

/** One delivered task message and the means to settle it. */
export interface TaskDelivery {
  readonly message: TaskMessage;
  readonly delivery: DeliveryInfo;
  /** The queue it was consumed from. */
  readonly queue: string;
  /** The delivery as received, for `CeleryClient.deadLetter`. */
  readonly raw: RawMessage;
  /** Whether `ack()` has been called. */
  readonly acknowledged: boolean;
  /** Acknowledge; a no-op when the delivering channel is gone (it is redelivered). */
  ack(): void;
  /** Reject; without requeue it goes to the queue's dead-letter exchange, if any. */
  reject(requeue: boolean): void;
  /**
   * Raises the channel's prefetch by one while this message is held unacked
   * waiting for its ETA, so held tasks do not starve the others; call the
   * returned function when it starts (or is given back).
   */
  holdPrefetch(): () => void;
}

/** A delivered message that is not a runnable Celery task. */
export interface UndecodableDelivery {
  readonly reason: string;
  /** The exception type its FAILURE result names; kombu's DecodeError by default. */
  readonly excType?: string;
  readonly taskId?: string;
  readonly task?: string;
  readonly content: Buffer;
  readonly delivery: DeliveryInfo;
  readonly queue: string;
  /** The delivery as received, for `CeleryClient.deadLetter`. */
  readonly raw: RawMessage;
  /** Acknowledge, once it is safely elsewhere (dead-lettered). */
  ack(): void;
  reject(requeue: boolean): void;
}

/** Calls the Nest handler registered for the message's task name. */
export type TaskInvoker = (data: unknown) => Promise<unknown>;

/**
 * Decides what happens to each delivery: runs it, stores its result and
 * settles it. The worker supplies it; the transport only moves messages.
 */
export interface TaskDispatcher {
  /** `invoke` is undefined when no handler is registered for the task name. */
  dispatch(
    delivery: TaskDelivery,
    invoke: TaskInvoker | undefined,
  ): Promise<void>;
  rejectUndecodable(delivery: UndecodableDelivery): Promise<void>;
  /** Shutdown begins: give back held (ETA) messages now, finish running ones. */
  stopHolding?(): void;
}
