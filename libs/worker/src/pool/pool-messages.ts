import type { TaskMessage } from '@celeriac/broker';

/**
 * What the worker and a pool child say to each other. Values cross as
 * structured clones (worker_threads' postMessage, or child_process IPC with
 * `serialization: 'advanced'`); errors cross as `SerializedError`s.
 */
export type ToChild =
  | {
      type: 'run';
      id: string;
      message: TaskMessage;
      queue: string;
      /** The worker's node name (`request.hostname`). */
      hostname: string;
      args: unknown[];
      kwargs: Record<string, unknown>;
    }
  /** The run's signal was aborted in the worker (soft limit, shutdown). */
  | { type: 'abort'; id: string; reason: SerializedError }
  | { type: 'progress-stored'; seq: number; error?: SerializedError };

export type FromChild =
  /** Booted: its task module is up and handlers are known. */
  | { type: 'ready' }
  | { type: 'progress'; id: string; seq: number; meta: Record<string, unknown> }
  | {
      type: 'done';
      id: string;
      ok: boolean;
      value?: unknown;
      error?: SerializedError;
      /** Bytes the child uses now (RSS for a process, heap for a thread). */
      memory: number;
    };

/** An error as plain data: what Celery's exception dict, retries and logs need. */
export interface SerializedError {
  name: string;
  message: string;
  stack?: string;
  excType?: string;
  excModule?: string;
  excMessage?: unknown[];
  /** Set for `request.retry()`'s RetryRequest. */
  retry?: { countdown?: number; cause?: SerializedError };
}
