import type { TaskMessage } from '@celeriac/broker';
import { RetryRequest } from '../errors/retry-request';
import type { TaskRequest } from '../task-call';
import type { RunSignal } from './time-limits';

/** Where a running task's `progress()` goes. */
export interface ProgressSink {
  storeProgress(
    message: TaskMessage,
    meta: Record<string, unknown>,
  ): Promise<void>;
}

/**
 * `self.request` of one run. The fields are read from the message's
 * headers when asked for, and the methods live on the prototype: a task
 * that looks at none of them costs one small object.
 */
export class RunningTaskRequest implements TaskRequest {
  constructor(
    private readonly message: TaskMessage,
    readonly queue: string,
    readonly hostname: string,
    private readonly run: RunSignal,
    private readonly sink: ProgressSink,
  ) {}

  get id(): string {
    return this.message.headers.id;
  }

  get task(): string {
    return this.message.headers.task;
  }

  get retries(): number {
    return this.message.headers.retries;
  }

  get timeLimit(): readonly [number | null, number | null] {
    return this.message.headers.timelimit;
  }

  get rootId(): string {
    return this.message.headers.root_id;
  }

  get parentId(): string | null {
    return this.message.headers.parent_id;
  }

  get groupId(): string | null {
    return this.message.headers.group;
  }

  get groupIndex(): number | null {
    return this.message.headers.group_index;
  }

  /** Made on first read: most tasks never look at it. */
  get signal(): AbortSignal {
    return this.run.signal;
  }

  progress(meta: Record<string, unknown>): Promise<void> {
    return this.sink.storeProgress(this.message, meta);
  }

  retry({
    countdown,
    error,
  }: { countdown?: number; error?: unknown } = {}): never {
    throw new RetryRequest(countdown, error);
  }
}
