/** Exponential backoff between automatic retries (Celery's `retry_backoff`). */
export interface RetryBackoff {
  /** Seconds before the first retry; doubles each time. Default 1. */
  base?: number;
  /** Cap in seconds (`retry_backoff_max`). Default 600. */
  max?: number;
  /** Full jitter: a random delay up to the computed one (`retry_jitter`). Default true. */
  jitter?: boolean;
}

/** What a task's concurrency key is derived from: its call, before it runs. */
export interface ConcurrencyKeyCall {
  readonly id: string;
  readonly task: string;
  /** Positional arguments, with kwargs bound by parameter name. */
  readonly args: readonly unknown[];
  readonly kwargs: Readonly<Record<string, unknown>>;
}

/**
 * At most `limit` tasks with the same key run at once across all workers
 * (the key comes from the call; null or '' = no limit for this call).
 */
export interface TaskConcurrency {
  key: string | ((call: ConcurrencyKeyCall) => string | null | undefined);
  limit: number;
}

/** How a task is declared (`@Task({...})`). */
export interface TaskOptions {
  /** The Celery task name, as Python clients send it: `add_task`. */
  name: string;
  /**
   * Names of the positional parameters, so a message's kwargs bind to
   * positions (`send_task('add_task', kwargs={'a': 1, 'b': 2})`) and a wrong
   * argument count is caught before the task runs.
   */
  params: string[];
  /** The queue it is sent to unless the caller names one. */
  queue?: string;
  /** One line for the registry listing and the docs. */
  description?: string;
  /** Retries before the last error becomes a FAILURE. Default 3, as Celery. */
  maxRetries?: number;
  /** Seconds before a retry when neither `retry({ countdown })` nor backoff says. Default 180. */
  defaultRetryDelay?: number;
  /** Errors (by `name`) that retry the task by themselves (Celery's `autoretry_for`). */
  autoretryFor?: string[];
  /** Backoff for retries without a countdown; `false` uses `defaultRetryDelay`. */
  retryBackoff?: RetryBackoff | false;
  /** Seconds until the task's `signal` aborts (soft limit). Default: the worker's. */
  softTimeLimit?: number;
  /** Seconds until the worker abandons the task as FAILURE (hard limit). Default: the worker's. */
  timeLimit?: number;
  /** Ack after the task finished (true, the default) or when it starts. */
  acksLate?: boolean;
  /** Write STARTED when it begins (Celery's `track_started`). Default: the worker's. */
  trackStarted?: boolean;
  /** Store no result (chains and chords still proceed). */
  ignoreResult?: boolean;
  /**
   * Celery's `rate_limit`: `'10/s'`, `'100/m'`, `'1000/h'` or a number (per
   * second); one budget for the whole cluster unless RATE_LIMIT_SCOPE=worker.
   * Celery's remote control `rate_limit` changes it at runtime.
   */
  rateLimit?: string | number;
  /** A concurrency key for each call (a message's own key wins). */
  concurrency?: TaskConcurrency;
}
