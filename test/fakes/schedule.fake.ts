import type { TaskMessage } from '@celeriac/broker';
import {
  delayBeyondThreshold,
  type DelayedTaskScheduler,
} from '@celeriac/schedule';

/** One task handed to beat. */
export interface ScheduledTask {
  message: TaskMessage;
  queue: string;
  delayMs: number;
}

/**
 * `DelayedTaskScheduler` in memory: the same threshold rule
 * (BEAT_DELAY_THRESHOLD), jobs recorded instead of stored in BullMQ;
 * `failWith` makes `schedule` reject, as Redis down.
 */
export class FakeDelayedTasks {
  readonly scheduled: ScheduledTask[] = [];
  failWith?: Error;

  constructor(readonly thresholdSeconds = 60) {}

  delayOf(message: TaskMessage, nowMs: number = Date.now()): number | null {
    return delayBeyondThreshold(
      message.headers.eta,
      this.thresholdSeconds,
      nowMs,
    );
  }

  schedule(
    message: TaskMessage,
    queue: string,
    delayMs: number,
  ): Promise<void> {
    if (this.failWith) {
      return Promise.reject(this.failWith);
    }
    this.scheduled.push({ message, queue, delayMs });
    return Promise.resolve();
  }
}

export const asDelayed = (fake: FakeDelayedTasks) =>
  fake as unknown as DelayedTaskScheduler;
