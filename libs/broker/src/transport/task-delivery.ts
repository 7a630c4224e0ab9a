import type { DeliveryInfo, TaskMessage } from '../protocol/celery-message';

/** One delivered task message and the means to settle it. */
export interface TaskDelivery {
  readonly message: TaskMessage;
  readonly delivery: DeliveryInfo;
  /** The queue it was consumed from. */
  readonly queue: string;
  /** Acknowledge; a no-op when the delivering channel is gone (it is redelivered). */
  ack(): void;
  /** Reject; without requeue it goes to the queue's dead-letter exchange, if any. */
  reject(requeue: boolean): void;
}

/** A delivered message that is not a runnable Celery task. */
export interface UndecodableDelivery {
  readonly reason: string;
  readonly taskId?: string;
  readonly task?: string;
  readonly content: Buffer;
  readonly delivery: DeliveryInfo;
  readonly queue: string;
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
}
