import {
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import type { TaskMessage } from '@celeriac/broker';
import type { TaskCall } from '@celeriac/tasks';
import type { RunSignal } from '../execution/time-limits';
import {
  type ChildExit,
  type PoolChildHandle,
  startPoolChild,
} from './pool-child-handle';
import { WorkerLostError } from './pool-errors';
import { PoolSlot } from './pool-slot';
import type { TaskRunner } from './task-runner';

/** How a `ChildPool` runs and recycles its children. */
export interface ChildPoolOptions {
  kind: 'processes' | 'threads';
  /** The built JS file a child runs: it boots the worker's task module. */
  entry: string;
  concurrency: number;
  /** Tasks before a child is replaced; null = never. */
  maxTasksPerChild: number | null;
  /** KiB a child may use after a task; null = no limit. */
  maxMemoryPerChildKib: number | null;
  /** `[soft, hard]` default time limits, for `inspect stats`. */
  timeouts: [number, number];
  /** How long shutdown waits for running tasks before it kills their children. */
  shutdownTimeoutMs: number;
  /** Starts one child; unit specs pass a fake. */
  startChild?: (
    kind: 'processes' | 'threads',
    entry: string,
  ) => PoolChildHandle;
}

/** Pause before replacing a child that died before it was ready. */
const RESPAWN_DELAY_MS = 1000;

/**
 * Celery's prefork (or thread) pool: `concurrency` children, each running
 * one task at a time in its own process or thread, so CPU-bound tasks use
 * every core and the worker's own loop stays free. A child is killed and
 * replaced when the worker stops waiting for its task (hard time limit,
 * revoke with terminate), after `maxTasksPerChild` tasks or past
 * `maxMemoryPerChildKib`, and replaced when it dies.
 */
export class ChildPool
  implements TaskRunner, OnApplicationBootstrap, OnApplicationShutdown
{
  private readonly logger = new Logger(ChildPool.name);
  private readonly slots: (PoolSlot | undefined)[];
  private readonly idle: PoolSlot[] = [];
  private readonly waiting: {
    taskId: string;
    resolve: (slot: PoolSlot) => void;
    reject: (error: unknown) => void;
  }[] = [];
  private readonly byTask = new Map<string, PoolSlot>();
  private closing = false;

  constructor(private readonly options: ChildPoolOptions) {
    this.slots = new Array<PoolSlot | undefined>(options.concurrency);
  }

  onApplicationBootstrap(): void {
    for (let index = 0; index < this.slots.length; index++) {
      this.spawn(index);
    }
    this.logger.log({
      msg: 'worker pool started',
      pool: this.options.kind,
      children: this.slots.length,
    });
  }

  async onApplicationShutdown(): Promise<void> {
    this.closing = true;
    for (const waiter of this.waiting.splice(0)) {
      // Not started: it goes back to its queue (acks late).
      waiter.reject(new WorkerLostError({ code: null, signal: null }));
    }
    for (const slot of this.idle.splice(0)) {
      slot.kill();
    }
    const deadline = Date.now() + this.options.shutdownTimeoutMs;
    while (this.byTask.size > 0 && Date.now() < deadline) {
      await sleep(50);
    }
    for (const slot of this.slots) {
      slot?.kill();
    }
  }

  async run(
    call: TaskCall,
    message: TaskMessage,
    queue: string,
    signal: RunSignal,
  ): Promise<unknown> {
    const { id } = message.headers;
    const slot = this.idle.pop() ?? (await this.nextIdle(id));
    this.byTask.set(id, slot);
    try {
      return await slot.run(
        {
          type: 'run',
          id,
          message,
          queue,
          hostname: call.request.hostname,
          args: call.args,
          kwargs: call.kwargs,
        },
        (meta) => call.request.progress(meta),
        signal,
      );
    } finally {
      this.byTask.delete(id);
    }
  }

  abandon(taskId: string): void {
    const waiter = this.waiting.findIndex((entry) => entry.taskId === taskId);
    if (waiter !== -1) {
      // Given up (hard limit, terminate) while it waited for a child: it
      // must never start in one later.
      this.waiting
        .splice(waiter, 1)[0]
        .reject(new Error(`task ${taskId} abandoned before it started`));
      return;
    }
    const slot = this.byTask.get(taskId);
    if (slot?.runningTask === taskId) {
      this.logger.warn({
        msg: 'killing the pool child of an abandoned task',
        taskId,
        child: slot.child.id,
      });
      slot.kill();
    }
  }

  info(): Record<string, unknown> {
    const ids = this.slots
      .filter((slot): slot is PoolSlot => slot?.isAlive === true)
      .map((slot) => slot.child.id);
    const common = {
      'max-concurrency': this.options.concurrency,
      'max-tasks-per-child': this.options.maxTasksPerChild ?? 'N/A',
      'max-memory-per-child': this.options.maxMemoryPerChildKib ?? 'N/A',
      timeouts: this.options.timeouts,
    };
    return this.options.kind === 'processes'
      ? {
          implementation: 'celery.concurrency.prefork:TaskPool',
          ...common,
          processes: ids,
          'put-guarded-by-semaphore': false,
          writes: 'N/A',
        }
      : {
          implementation: 'celery.concurrency.thread:TaskPool',
          ...common,
          threads: ids.length,
          'thread-ids': ids,
        };
  }

  private nextIdle(taskId: string): Promise<PoolSlot> {
    if (this.closing) {
      return Promise.reject(new WorkerLostError({ code: null, signal: null }));
    }
    return new Promise((resolve, reject) =>
      this.waiting.push({ taskId, resolve, reject }),
    );
  }

  private spawn(index: number): void {
    const start = this.options.startChild ?? startPoolChild;
    const child = start(this.options.kind, this.options.entry);
    const slot = new PoolSlot(child, {
      done: (done) => this.finished(done),
      exited: (gone, exit) => this.exited(index, gone, exit),
    });
    this.slots[index] = slot;
    slot.ready.then(
      () => this.offer(slot),
      () => undefined,
    );
  }

  private offer(slot: PoolSlot): void {
    if (!slot.isAlive) {
      return;
    }
    if (this.closing) {
      slot.kill();
      return;
    }
    const waiter = this.waiting.shift();
    if (waiter) {
      waiter.resolve(slot);
    } else {
      this.idle.push(slot);
    }
  }

  private finished(slot: PoolSlot): void {
    const { maxTasksPerChild, maxMemoryPerChildKib } = this.options;
    const tooMany =
      maxTasksPerChild !== null && slot.tasksRun >= maxTasksPerChild;
    const tooBig =
      maxMemoryPerChildKib !== null &&
      slot.memory / 1024 > maxMemoryPerChildKib;
    if (tooMany || tooBig) {
      this.logger.log({
        msg: 'recycling a pool child',
        child: slot.child.id,
        reason: tooMany ? 'max tasks per child' : 'max memory per child',
        tasksRun: slot.tasksRun,
        memoryKib: Math.round(slot.memory / 1024),
      });
      slot.kill();
      return;
    }
    this.offer(slot);
  }

  private exited(index: number, slot: PoolSlot, exit: ChildExit): void {
    const position = this.idle.indexOf(slot);
    if (position !== -1) {
      this.idle.splice(position, 1);
    }
    if (this.slots[index] !== slot || this.closing) {
      return;
    }
    if (!slot.wasKilled) {
      this.logger.error({
        msg: 'pool child died',
        child: slot.child.id,
        error: new WorkerLostError(exit).message,
      });
    }
    // One that died while booting (a bad task module) must not spin.
    const delay = slot.tasksRun === 0 && !slot.wasKilled ? RESPAWN_DELAY_MS : 0;
    setTimeout(() => {
      if (!this.closing && this.slots[index] === slot) {
        this.spawn(index);
      }
    }, delay).unref();
  }
}
