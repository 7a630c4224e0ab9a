import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Redis } from 'ioredis';
import type { TaskDelivery } from '@celeriac/broker';
import { REDIS_CLIENT } from '@celeriac/results';
import type { TaskOptions } from '../task-options';
import {
  TASKS_MODULE_OPTIONS,
  type TasksModuleOptions,
} from '../tasks.module-definition';
import { ConcurrencyLeases } from './concurrency-leases';
import { KeyGate } from './key-gate';
import { concurrencyKeyOf } from './concurrency-key-of';
import { type ConcurrencyKey, messageRateLimit } from './limit-headers';
import { LimitStats } from './limit-stats';
import {
  ClusterRateBudget,
  type RateBudget,
  WorkerRateBudget,
} from './rate-budget';
import { tasksPerSecond } from './rate-limit';

/** What a task holds once admitted; `release()` when it is done. */
export interface Admitted {
  release(): void;
}

const NOTHING_HELD: Admitted = { release: () => undefined };

/** Default seconds before a dead worker's concurrency slots return. */
export const DEFAULT_LEASE_TIMEOUT_SECONDS = 10;
/** How often a worker asks whether its waiting keyed tasks may run. */
const KEY_POLL_MS = 200;
const RELEASE_RETRY_MS = 1000;
const RELEASE_ATTEMPTS = 30;

/**
 * The worker's admission step between receiving a task and running it:
 * the task's rate limit (Celery's, cluster-wide by default) and its
 * concurrency key. A task that must wait keeps its message unacked with
 * the prefetch raised (as an ETA task does), holds no execution slot, and
 * does not delay tasks of other names or keys.
 */
@Injectable()
export class TaskAdmission implements OnApplicationShutdown {
  private readonly logger = new Logger(TaskAdmission.name);
  readonly stats = new LimitStats();
  readonly scope: 'cluster' | 'worker';
  private readonly budget: RateBudget;
  private readonly leases: ConcurrencyLeases;
  private readonly gates = new Map<string, KeyGate>();
  private heartbeat?: NodeJS.Timeout;
  private readonly leaseTimeoutMs: number;

  constructor(
    @Inject(REDIS_CLIENT) redis: Redis,
    @Inject(TASKS_MODULE_OPTIONS) options: TasksModuleOptions,
  ) {
    this.scope = options.rateLimitScope ?? 'cluster';
    this.budget =
      this.scope === 'worker'
        ? new WorkerRateBudget()
        : new ClusterRateBudget(redis);
    this.leaseTimeoutMs =
      (options.concurrencyLeaseTimeout ?? DEFAULT_LEASE_TIMEOUT_SECONDS) * 1000;
    this.leases = new ConcurrencyLeases(
      redis,
      `${options.hostname}:${randomUUID()}`,
      this.leaseTimeoutMs,
    );
  }

  /**
   * NOTHING_HELD at once for a task without limits; else a promise of what
   * it holds, or null when `signal` (shutdown) aborted the wait: the task
   * has not started and its message should go back to the queue.
   */
  admit(
    delivery: TaskDelivery,
    definition: TaskOptions,
    bound: { args: unknown[]; kwargs: Record<string, unknown> },
    signal: AbortSignal,
  ): Admitted | Promise<Admitted | null> {
    const { message } = delivery;
    const rate = messageRateLimit(message.headers) ?? definition.rateLimit;
    const concurrency = concurrencyKeyOf(
      message,
      definition,
      bound,
      this.logger,
    );
    if (!rate && !concurrency) {
      return NOTHING_HELD;
    }
    return this.admitLimited(delivery, rate, concurrency, signal);
  }

  private async admitLimited(
    delivery: TaskDelivery,
    rate: string | number | undefined,
    concurrency: ConcurrencyKey | undefined,
    signal: AbortSignal,
  ): Promise<Admitted | null> {
    let unhold: (() => void) | undefined;
    const hold = () => (unhold ??= delivery.holdPrefetch());
    try {
      const { task, id } = delivery.message.headers;
      if (rate && !(await this.takeRate(task, rate, signal, hold))) {
        return null;
      }
      if (!concurrency) {
        return NOTHING_HELD;
      }
      return await this.takeKey(task, id, concurrency, signal, hold);
    } finally {
      unhold?.();
    }
  }

  /** Waits for the task's start time on its budget; false when aborted. */
  private async takeRate(
    task: string,
    rate: string | number,
    signal: AbortSignal,
    hold: () => void,
  ): Promise<boolean> {
    const perSecond = tasksPerSecond(rate);
    if (perSecond === 0) {
      return true;
    }
    const stats = this.stats.rateOf(task, String(rate));
    const intervalMs = 1000 / perSecond;
    let waited = false;
    try {
      for (;;) {
        const { reserved, waitMs } = await this.budget.reserve(
          task,
          intervalMs,
        );
        if (waitMs <= 0 && reserved) {
          return true;
        }
        if (!waited) {
          waited = true;
          stats.waiting += 1;
          stats.throttled += 1;
          this.stats.throttled('rate', task);
          hold();
        }
        try {
          await sleep(waitMs, undefined, { signal });
        } catch {
          return false;
        }
        if (reserved) {
          return true;
        }
      }
    } finally {
      if (waited) {
        stats.waiting -= 1;
      }
    }
  }

  /** Waits for a slot of the key; null when aborted. */
  private async takeKey(
    task: string,
    taskId: string,
    { key, limit }: ConcurrencyKey,
    signal: AbortSignal,
    hold: () => void,
  ): Promise<Admitted | null> {
    this.startHeartbeat();
    const stats = this.stats.keyOf(key, limit);
    const gate = this.gateOf(key);
    stats.waiting += 1;
    const waiting = gate.wait(taskId, limit, signal);
    try {
      // Admitted within one round trip unless the key is busy.
      if ((await Promise.race([waiting, sleep(5, 'busy')])) === 'busy') {
        this.stats.throttled('concurrency', task);
        hold();
        await waiting;
      }
    } catch (error) {
      stats.waiting -= 1;
      this.stats.dropIdleKey(key);
      if (signal.aborted) {
        return null;
      }
      throw error;
    }
    stats.waiting -= 1;
    stats.running += 1;
    let released = false;
    return {
      release: () => {
        if (released) {
          return;
        }
        released = true;
        stats.running -= 1;
        this.stats.dropIdleKey(key);
        void this.releaseLease(key, taskId);
      },
    };
  }

  private gateOf(key: string): KeyGate {
    let gate = this.gates.get(key);
    if (!gate) {
      gate = new KeyGate(key, this.leases, KEY_POLL_MS, (taskId) => {
        void this.releaseLease(key, taskId);
      });
      this.gates.set(key, gate);
    }
    return gate;
  }

  // The first keyed task starts the heartbeat that keeps this worker's
  // leases alive; a killed worker's stop with it.
  private startHeartbeat(): void {
    if (this.heartbeat) {
      return;
    }
    const beat = () => {
      this.leases.heartbeat().catch((error: unknown) =>
        this.logger.warn({
          msg: 'concurrency lease heartbeat failed',
          err: error,
        }),
      );
    };
    beat();
    this.heartbeat = setInterval(beat, this.leaseTimeoutMs / 3);
    this.heartbeat.unref();
  }

  // A lease must not outlive its task while this worker lives (nothing
  // would expire it): retry through a short Redis outage.
  private async releaseLease(key: string, taskId: string): Promise<void> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        await this.leases.release(key, taskId);
        break;
      } catch (error) {
        if (attempt >= RELEASE_ATTEMPTS) {
          this.logger.error({
            msg: 'could not release a concurrency lease',
            key,
            taskId,
            err: error,
          });
          return;
        }
        await sleep(RELEASE_RETRY_MS);
      }
    }
    const gate = this.gates.get(key);
    if (gate && gate.waiting > 0) {
      gate.poke();
    } else if (gate) {
      this.gates.delete(key);
    }
  }

  /**
   * Stops renewing this worker's leases. With none running here, its queue
   * places are given up at once; else they expire within the lease timeout
   * (a task still finishing must not lose its slot to another).
   */
  async onApplicationShutdown(): Promise<void> {
    if (!this.heartbeat) {
      return;
    }
    clearInterval(this.heartbeat);
    const running = [...this.stats.keys.values()].some(
      (stats) => stats.running > 0,
    );
    if (running) {
      return;
    }
    try {
      await this.leases.retire();
    } catch (error) {
      this.logger.warn({
        msg: 'could not retire concurrency leases; they expire by themselves',
        err: error,
      });
    }
  }

  /** Running and waiting tasks of `key` across the cluster. */
  countKey(key: string): Promise<{ running: number; waiting: number }> {
    return this.leases.count(key);
  }
}
