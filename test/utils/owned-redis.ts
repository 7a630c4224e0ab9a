import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer, connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/** A redis-server the test owns, on its own port, that it may stop and start. */
export interface OwnedRedis {
  readonly port: number;
  readonly url: string;
  /** SIGTERM, then waits for the process to exit. */
  stop(): Promise<void>;
  /** Starts it again on the same port and waits until PING answers. */
  start(): Promise<void>;
  /** SIGSTOP: the port still accepts, but nothing answers (a hung server). */
  pause(): void;
  /** SIGCONT after {@link pause}. */
  resume(): void;
}

/** A port that was free a moment ago. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') {
    throw new Error('no TCP address');
  }
  return address.port;
}

/** Sends PING over a raw socket; true when +PONG comes back. */
function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.on('error', () => done(false));
    // With requirepass, an unauthenticated PING answers -NOAUTH: it is up.
    socket.on('data', (data) =>
      done(/^(\+PONG|-NOAUTH)/.test(data.toString())),
    );
    socket.on('connect', () => socket.write('PING\r\n'));
  });
}

/** What else the owned server is started with. */
export interface OwnedRedisOptions {
  /** Extra `redis-server` arguments, e.g. `['--requirepass', pw]` or an ACL `--user`. */
  args?: string[];
}

/** Starts `redis-server` on a free port (no persistence) and waits until it answers. */
export async function startOwnedRedis({
  args = [],
}: OwnedRedisOptions = {}): Promise<OwnedRedis> {
  const port = await freePort();
  let child: ChildProcess | undefined;

  const start = async (): Promise<void> => {
    const spawned = spawn(
      'redis-server',
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'no',
        ...args,
      ],
      { stdio: 'ignore' },
    );
    child = spawned;
    const deadline = Date.now() + 10_000;
    while (!(await ping(port))) {
      if (spawned.exitCode !== null || Date.now() > deadline) {
        throw new Error(`redis-server on port ${port} did not answer PING`);
      }
      await sleep(50);
    }
  };

  const stop = async (): Promise<void> => {
    const running = child;
    child = undefined;
    if (!running || running.exitCode !== null || running.signalCode !== null) {
      return;
    }
    const exited = once(running, 'exit');
    running.kill('SIGCONT');
    running.kill('SIGTERM');
    await exited;
  };

  await start();
  return {
    port,
    url: `redis://127.0.0.1:${port}/0`,
    stop,
    start,
    pause: () => child?.kill('SIGSTOP'),
    resume: () => child?.kill('SIGCONT'),
  };
}
