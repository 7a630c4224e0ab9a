import { inspect } from 'node:util';
import type { TaskMessage } from '@celeriac/broker';
import { RetryRequest, type TaskRequest } from '@celeriac/tasks';
import type { RunSignal } from './time-limits';

/** Where a running task's `progress()` goes. */
export interface ProgressSink {
  storeProgress(
    message: TaskMessage,
    meta: Record<string, unknown>,
  ): Promise<void>;
}

/** The plain fields of a TaskRequest, as JSON and logs show them. */
export type TaskRequestFields = Omit<
  TaskRequest,
  'signal' | 'progress' | 'retry'
>;

/**
 * `self.request` of one run. The fields are read from the message's
 * headers when asked for: a task that looks at none of them costs one small
 * object. Being getters, they are not own properties, so `toJSON` and
 * `inspect` list them for `JSON.stringify`, pino and `console.log`.
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

  /** Bound, so `const { progress } = request` works too. */
  get progress(): (meta: Record<string, unknown>) => Promise<void> {
    return (meta) => this.sink.storeProgress(this.message, meta);
  }

  retry({
    countdown,
    error,
  }: { countdown?: number; error?: unknown } = {}): never {
    throw new RetryRequest(countdown, error);
  }

  toJSON(): TaskRequestFields {
    return {
      id: this.id,
      task: this.task,
      retries: this.retries,
      timeLimit: this.timeLimit,
      rootId: this.rootId,
      parentId: this.parentId,
      groupId: this.groupId,
      groupIndex: this.groupIndex,
      hostname: this.hostname,
      queue: this.queue,
    };
  }

  [inspect.custom](
    depth: number,
    options: Parameters<typeof inspect>[1],
    inspectValue: typeof inspect,
  ): string {
    return `RunningTaskRequest ${inspectValue(this.toJSON(), options)}`;
  }
}
