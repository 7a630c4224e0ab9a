import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import { pollUntil } from './poll-until';

/** A built app that serves /health/ready on a port named by an env variable. */
export interface BuiltApp {
  main: string;
  healthPortVariable: string;
}

export const WORKER_APP: BuiltApp = {
  main: resolve(process.cwd(), 'dist/apps/worker/apps/worker/src/main.js'),
  healthPortVariable: 'WORKER_HEALTH_PORT',
};

/** `npm run start:beat`; build it first (the e2e globalSetup does). */
export const BEAT_APP: BuiltApp = {
  main: resolve(process.cwd(), 'dist/apps/beat/apps/beat/src/main.js'),
  healthPortVariable: 'BEAT_HEALTH_PORT',
};

/** `npm run start:api`; its /health/ready is on API_PORT. */
export const API_APP: BuiltApp = {
  main: resolve(process.cwd(), 'dist/apps/api/apps/api/src/main.js'),
  healthPortVariable: 'API_PORT',
};

/** `npm run start:monitor`; its /health/ready is on MONITOR_PORT. */
export const MONITOR_APP: BuiltApp = {
  main: resolve(process.cwd(), 'dist/apps/monitor/apps/monitor/src/main.js'),
  healthPortVariable: 'MONITOR_PORT',
};

/** A line of the worker's pino log. */
export interface LogLine {
  time: number;
  msg: string;
  taskId?: string;
  [key: string]: unknown;
}

/** The built worker (`npm run start:worker`), or another built app, as a real process. */
export class WorkerProcess {
  private output = '';
  readonly exited: Promise<{ code: number | null; signal: string | null }>;

  private constructor(
    private readonly child: ChildProcess,
    readonly healthPort: number,
  ) {
    child.stdout?.on(
      'data',
      (chunk: Buffer) => (this.output += chunk.toString()),
    );
    child.stderr?.on(
      'data',
      (chunk: Buffer) => (this.output += chunk.toString()),
    );
    this.exited = new Promise((resolveExit) =>
      child.once('exit', (code, signal) => resolveExit({ code, signal })),
    );
  }

  /**
   * Starts a worker (or `app`) with `env` and waits until its readiness
   * probe is 200: up to a minute, as a busy 2-core machine running two
   * suites at once may take that long to boot a Nest app.
   */
  static async start(
    env: Record<string, string>,
    app: BuiltApp = WORKER_APP,
    readyTimeoutMs = 60_000,
  ): Promise<WorkerProcess> {
    const healthPort = await freePort();
    const child = spawn(process.execPath, [app.main], {
      env: {
        ...process.env,
        LOG_LEVEL: 'debug',
        ...env,
        [app.healthPortVariable]: String(healthPort),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const worker = new WorkerProcess(child, healthPort);
    const ready = await pollUntil(
      () => worker.isReady(),
      (up) => up || child.exitCode !== null,
      { timeoutMs: readyTimeoutMs, intervalMs: 100 },
    );
    if (!ready) {
      child.kill('SIGKILL');
      throw new Error(`${app.main} did not become ready:\n${worker.output}`);
    }
    return worker;
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  signal(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }

  /** The exit code, or null while the process runs (or after a signal). */
  get exitCode(): number | null {
    return this.child.exitCode;
  }

  /** Whether the process is still running. */
  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** SIGTERM (a warm shutdown), SIGKILL if it still runs after `graceMs`. */
  async stop(graceMs = 15_000): Promise<void> {
    if (!this.running) {
      return;
    }
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }

  /** The structured log lines so far (JSON lines only). */
  logs(): LogLine[] {
    return this.output
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as LogLine);
  }

  rawOutput(): string {
    return this.output;
  }

  private async isReady(): Promise<boolean> {
    try {
      const response = await fetch(
        `http://127.0.0.1:${this.healthPort}/health/ready`,
      );
      return response.status === 200;
    } catch {
      return false;
    }
  }
}

function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        resolvePort(typeof address === 'object' && address ? address.port : 0),
      );
    });
  });
}
