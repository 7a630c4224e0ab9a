import type { ChildExit, PoolChildHandle } from './pool-child-handle';
import {
  deserializeError,
  serializeError,
  WorkerLostError,
} from './pool-errors';
import type { FromChild, ToChild } from './pool-messages';
import type { RunSignal } from '../execution/time-limits';

type Progress = (meta: Record<string, unknown>) => Promise<void>;

interface CurrentRun {
  id: string;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
  progress: Progress;
}

/** What a slot tells its pool. */
export interface SlotEvents {
  /** The child answered its task and is free again. */
  done(slot: PoolSlot): void;
  /** The child is gone (killed, crashed or recycled). */
  exited(slot: PoolSlot, exit: ChildExit): void;
}

/**
 * One pool child and the task it runs, if any. The child runs one task at
 * a time, as a Celery prefork child does.
 */
export class PoolSlot {
  readonly ready: Promise<void>;
  tasksRun = 0;
  /** Bytes the child reported after its last task. */
  memory = 0;
  private current?: CurrentRun;
  private alive = true;
  private killedByPool = false;

  constructor(
    readonly child: PoolChildHandle,
    private readonly events: SlotEvents,
  ) {
    this.ready = new Promise<void>((resolve, reject) => {
      child.onMessage((message) => {
        if (message.type === 'ready') {
          resolve();
        } else {
          this.receive(message);
        }
      });
      child.onExit((exit) => {
        this.alive = false;
        reject(new WorkerLostError(exit));
        const run = this.current;
        this.current = undefined;
        run?.reject(new WorkerLostError(exit));
        this.events.exited(this, exit);
      });
    });
    this.ready.catch(() => undefined);
  }

  get isAlive(): boolean {
    return this.alive;
  }

  /** Whether the pool ended this child itself (limit, terminate, recycle). */
  get wasKilled(): boolean {
    return this.killedByPool;
  }

  /** The id of the task this child runs now. */
  get runningTask(): string | undefined {
    return this.current?.id;
  }

  /** Sends the task; its signal's aborts follow it to the child. */
  run(
    command: Extract<ToChild, { type: 'run' }>,
    progress: Progress,
    signal: RunSignal,
  ): Promise<unknown> {
    return new Promise<unknown>((resolve, reject) => {
      if (!this.alive) {
        // It died between being handed out and being given the task.
        reject(new WorkerLostError({ code: null, signal: null }));
        return;
      }
      this.current = { id: command.id, resolve, reject, progress };
      this.child.send(command);
      const forward = () =>
        this.child.send({
          type: 'abort',
          id: command.id,
          reason: serializeError(signal.reason),
        });
      if (signal.aborted) {
        forward();
      } else {
        signal.signal.addEventListener('abort', forward, { once: true });
      }
    });
  }

  kill(): void {
    this.killedByPool = true;
    this.child.kill();
  }

  private receive(message: FromChild): void {
    const run = this.current;
    if (message.type === 'progress') {
      const stored = run
        ? run.progress(message.meta)
        : Promise.reject(new Error('no task running'));
      stored.then(
        () => this.child.send({ type: 'progress-stored', seq: message.seq }),
        (error: unknown) =>
          this.child.send({
            type: 'progress-stored',
            seq: message.seq,
            error: serializeError(error),
          }),
      );
      return;
    }
    if (message.type !== 'done' || run?.id !== message.id) {
      return;
    }
    this.current = undefined;
    this.tasksRun += 1;
    this.memory = message.memory;
    if (message.ok) {
      run.resolve(message.value);
    } else {
      run.reject(
        message.error
          ? deserializeError(message.error)
          : new Error('task failed'),
      );
    }
    this.events.done(this);
  }
}
