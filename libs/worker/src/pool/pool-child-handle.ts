import { type ChildProcess, fork } from 'node:child_process';
import { Worker } from 'node:worker_threads';
import type { FromChild, ToChild } from './pool-messages';

/** Tells a child which pool started it (its memory report differs). */
export const POOL_CHILD_ENV = 'CELERIAC_POOL_CHILD';

/** How a child ended: an exit code, or the signal that killed it. */
export interface ChildExit {
  code: number | null;
  signal: string | null;
}

/** The worker's side of one pool child, a process or a thread. */
export interface PoolChildHandle {
  /** The process's pid, or the thread's id. */
  readonly id: number;
  send(message: ToChild): void;
  onMessage(listener: (message: FromChild) => void): void;
  onExit(listener: (exit: ChildExit) => void): void;
  /** SIGKILL for a process, `terminate()` for a thread: no cleanup runs. */
  kill(): void;
}

/** Starts `entry` (a built JS file) as a pool child of `kind`. */
export function startPoolChild(
  kind: 'processes' | 'threads',
  entry: string,
): PoolChildHandle {
  const env = { ...process.env, [POOL_CHILD_ENV]: kind };
  return kind === 'processes'
    ? new ProcessChild(
        fork(entry, [], {
          env,
          serialization: 'advanced',
          stdio: 'inherit',
          // A debugger port flag would clash with the worker's own.
          execArgv: process.execArgv.filter((arg) => !arg.includes('inspect')),
        }),
      )
    : new ThreadChild(new Worker(entry, { env }));
}

class ProcessChild implements PoolChildHandle {
  readonly id: number;

  constructor(private readonly child: ChildProcess) {
    this.id = child.pid ?? -1;
    // A child that exits between two sends must not crash the worker.
    child.on('error', () => undefined);
  }

  send(message: ToChild): void {
    if (this.child.connected) {
      this.child.send(message);
    }
  }

  onMessage(listener: (message: FromChild) => void): void {
    this.child.on('message', (message) => listener(message as FromChild));
  }

  onExit(listener: (exit: ChildExit) => void): void {
    this.child.once('exit', (code, signal) => listener({ code, signal }));
  }

  kill(): void {
    this.child.kill('SIGKILL');
  }
}

class ThreadChild implements PoolChildHandle {
  readonly id: number;

  constructor(private readonly worker: Worker) {
    this.id = worker.threadId;
    worker.on('error', () => undefined);
  }

  send(message: ToChild): void {
    this.worker.postMessage(message);
  }

  onMessage(listener: (message: FromChild) => void): void {
    this.worker.on('message', (message) => listener(message as FromChild));
  }

  onExit(listener: (exit: ChildExit) => void): void {
    this.worker.once('exit', (code) => listener({ code, signal: null }));
  }

  kill(): void {
    void this.worker.terminate();
  }
}
