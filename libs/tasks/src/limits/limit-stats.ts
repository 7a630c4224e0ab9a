/** What a worker reports about its limited tasks (inspect stats, metrics). */
export interface RateLimitStats {
  /** The rate in force, in Celery's syntax. */
  rate: string;
  /** Tasks that had to wait for the budget, since the worker started. */
  throttled: number;
  /** Tasks waiting for the budget now. */
  waiting: number;
}

export interface ConcurrencyKeyStats {
  limit: number;
  /** Tasks of the key running on this worker now. */
  running: number;
  /** Tasks of the key waiting on this worker now. */
  waiting: number;
}

export type LimitKind = 'rate' | 'concurrency';

/** Counters of the admission step, by task name and by concurrency key. */
export class LimitStats {
  readonly rates = new Map<string, RateLimitStats>();
  /** Keys with tasks here now (idle keys are dropped: tenants come and go). */
  readonly keys = new Map<string, ConcurrencyKeyStats>();
  private readonly throttledListeners: ((
    limit: LimitKind,
    task: string,
  ) => void)[] = [];

  /** Calls `listener` each time a task has to wait for a limit. */
  onThrottled(listener: (limit: LimitKind, task: string) => void): void {
    this.throttledListeners.push(listener);
  }

  throttled(limit: LimitKind, task: string): void {
    for (const listener of this.throttledListeners) {
      listener(limit, task);
    }
  }

  /** Tasks waiting for a limit on this worker now. */
  waiting(limit: LimitKind): number {
    const all = limit === 'rate' ? this.rates.values() : this.keys.values();
    let total = 0;
    for (const stats of all) {
      total += stats.waiting;
    }
    return total;
  }

  /** Forgets a key with nothing running or waiting here. */
  dropIdleKey(key: string): void {
    const stats = this.keys.get(key);
    if (stats && stats.running === 0 && stats.waiting === 0) {
      this.keys.delete(key);
    }
  }

  rateOf(task: string, rate: string): RateLimitStats {
    let stats = this.rates.get(task);
    if (!stats) {
      stats = { rate, throttled: 0, waiting: 0 };
      this.rates.set(task, stats);
    }
    stats.rate = rate;
    return stats;
  }

  keyOf(key: string, limit: number): ConcurrencyKeyStats {
    let stats = this.keys.get(key);
    if (!stats) {
      stats = { limit, running: 0, waiting: 0 };
      this.keys.set(key, stats);
    }
    stats.limit = limit;
    return stats;
  }

  /** The `limits` entry of `inspect stats`. */
  report(scope: string): Record<string, unknown> {
    return {
      rate_limit_scope: scope,
      rate_limits: Object.fromEntries(
        [...this.rates].map(([task, stats]) => [task, { ...stats }]),
      ),
      concurrency_keys: Object.fromEntries(
        [...this.keys].map(([key, stats]) => [key, { ...stats }]),
      ),
    };
  }
}
