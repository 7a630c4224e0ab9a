import { EventEmitter } from 'node:events';

/** A forked api worker that records the signals and messages it was sent. */
export class FakeClusterWorker {
  readonly signals: string[] = [];
  readonly sent: unknown[] = [];
  connected = true;
  readonly process: { pid: number; kill: (signal?: NodeJS.Signals) => boolean };

  constructor(
    readonly id: number,
    readonly env: Record<string, string>,
  ) {
    this.process = {
      pid: 10_000 + id,
      kill: (signal = 'SIGTERM') => {
        this.signals.push(signal);
        return true;
      },
    };
  }

  send(message: unknown): boolean {
    this.sent.push(message);
    return true;
  }

  isConnected(): boolean {
    return this.connected;
  }
}

/**
 * node:cluster as the primary sees it: `fork` makes a FakeClusterWorker;
 * the spec plays the workers' side with `listen`, `exit` and `message`,
 * which emit the events node:cluster would.
 */
export class FakeCluster extends EventEmitter {
  readonly forked: FakeClusterWorker[] = [];

  fork(env: Record<string, string> = {}): FakeClusterWorker {
    const worker = new FakeClusterWorker(this.forked.length + 1, env);
    this.forked.push(worker);
    return worker;
  }

  /** Workers forked and not yet exited. */
  get alive(): FakeClusterWorker[] {
    return this.forked.filter((worker) => worker.connected);
  }

  listen(worker: FakeClusterWorker): void {
    this.emit('listening', worker);
  }

  exit(
    worker: FakeClusterWorker,
    code: number | null,
    signal: string | null = null,
  ): void {
    worker.connected = false;
    this.emit('exit', worker, code, signal);
  }

  message(worker: FakeClusterWorker, message: unknown): void {
    this.emit('message', worker, message);
  }
}
