import { Injectable, Logger, Optional } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import type { TaskDelivery } from '@celeriac/broker';
import { DelayedTaskScheduler } from '@celeriac/schedule';

/**
 * Tasks with an ETA (Celery's timer): a far one is handed to beat, a near
 * one is held here, unacked, until due. `stop()` at shutdown ends every
 * hold, so those messages go back to their queue, and every wait for a
 * rate limit or a concurrency key (they wait on the same signal).
 */
@Injectable()
export class EtaHolds {
  private readonly logger = new Logger(EtaHolds.name);
  private readonly holds = new AbortController();

  constructor(@Optional() private readonly delayed?: DelayedTaskScheduler) {}

  /** Aborted when shutdown begins. */
  get signal(): AbortSignal {
    return this.holds.signal;
  }

  stop(): void {
    this.holds.abort(new Error('worker shutting down'));
  }

  /**
   * An ETA beyond BEAT_DELAY_THRESHOLD waits in BullMQ (beat publishes the
   * same message when due) instead of unacked here; acked once stored. If it
   * cannot be stored, false: the task is held as Celery holds it.
   */
  async handOff(delivery: TaskDelivery): Promise<boolean> {
    const { message } = delivery;
    const delay = this.delayed?.delayOf(message) ?? null;
    if (delay === null || !this.delayed) {
      return false;
    }
    try {
      await this.delayed.schedule(message, delivery.queue, delay);
    } catch (error) {
      this.logger.warn({
        msg: 'could not hand the ETA task to beat, holding it',
        taskId: message.headers.id,
        err: error,
      });
      return false;
    }
    delivery.ack();
    this.logger.log({
      msg: 'ETA task handed to beat',
      taskId: message.headers.id,
      task: message.headers.task,
      eta: message.headers.eta,
    });
    return true;
  }

  /**
   * Holds an ETA task in memory, unacked, as Celery does, with the prefetch
   * raised meanwhile so it does not block other tasks. False when shutdown
   * began first: the message is then given back to its queue.
   */
  async wait(delivery: TaskDelivery): Promise<boolean> {
    const due = parseTime(delivery.message.headers.eta);
    const wait = due === null ? 0 : due - Date.now();
    if (wait <= 0) {
      return !this.holds.signal.aborted;
    }
    const release = delivery.holdPrefetch();
    try {
      await sleep(wait, undefined, { signal: this.holds.signal });
      return true;
    } catch {
      return false;
    } finally {
      release();
    }
  }
}

/** Epoch milliseconds of an ISO 8601 time, or null. */
export function parseTime(iso: string | null): number | null {
  if (iso === null) {
    return null;
  }
  const time = Date.parse(iso);
  return Number.isNaN(time) ? null : time;
}
