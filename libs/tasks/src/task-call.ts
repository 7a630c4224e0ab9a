/** What a running task knows about its own message (Celery's `self.request`). */
export interface TaskRequest {
  readonly id: string;
  readonly task: string;
  readonly retries: number;
  /** Celery's `timelimit` header: [hard, soft] seconds, null when unset. */
  readonly timeLimit: readonly [number | null, number | null];
  readonly rootId: string;
  readonly parentId: string | null;
  readonly groupId: string | null;
  readonly groupIndex: number | null;
  /** The worker's node name, e.g. `celeriac@host`. */
  readonly hostname: string;
  readonly queue: string;
  /**
   * Aborted at the soft time limit (reason: `SoftTimeLimitExceeded`), at the
   * hard limit and when the worker shuts down: long tasks should watch it.
   */
  readonly signal: AbortSignal;
  /**
   * Stores the PROGRESS state with `meta` as its result (Celery's
   * `update_state(state='PROGRESS', meta=...)`); readers see it as progress.
   */
  progress(meta: Record<string, unknown>): Promise<void>;
  /**
   * Ends this run and schedules the task again with the same id (Celery's
   * `self.retry()`): after `countdown` seconds, or the task's backoff. Past
   * `maxRetries`, `error` (or MaxRetriesExceededError) becomes the FAILURE.
   */
  retry(options?: { countdown?: number; error?: unknown }): never;
}

/** The single argument a task handler receives. */
export interface TaskCall<A extends unknown[] = unknown[]> {
  /** Positional arguments, with kwargs bound by parameter name. */
  readonly args: A;
  /** The keyword arguments as sent (already bound into `args`). */
  readonly kwargs: Record<string, unknown>;
  readonly request: TaskRequest;
}
