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
  /** Aborted when the worker shuts down; long tasks should stop early. */
  readonly signal: AbortSignal;
}

/** The single argument a task handler receives. */
export interface TaskCall<A extends unknown[] = unknown[]> {
  /** Positional arguments, with kwargs bound by parameter name. */
  readonly args: A;
  /** The keyword arguments as sent (already bound into `args`). */
  readonly kwargs: Record<string, unknown>;
  readonly request: TaskRequest;
}
