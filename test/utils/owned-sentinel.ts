import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort } from './owned-redis';
import { pollUntil } from './poll-until';

/** The master name the owned sentinels watch. */
export const OWNED_SENTINEL_MASTER = 'mymaster';

/** Sentinel timings: a dead master is noticed after 1 s, so a failover takes seconds. */
const DOWN_AFTER_MS = 1000;
const FAILOVER_TIMEOUT_MS = 4000;

/**
 * Two redis-servers (a master and its replica) and three sentinels
 * (`redis-server --sentinel`), all on free ports on 127.0.0.1, owned by the
 * test: it may kill -9 the master and bring the node back as a replica.
 */
export interface OwnedSentinelGroup {
  /** RESULT_BACKEND_URL: Celery's `sentinel://…;sentinel://…/0` list of the three sentinels. */
  readonly url: string;
  readonly sentinelPorts: readonly number[];
  /** Where the sentinels say the master is now. */
  masterPort(): Promise<number>;
  /** The data node that is not `port`. */
  otherNode(port: number): number;
  /** SIGKILL of the data node on `port`: no shutdown, no last write. */
  kill(port: number): void;
  /** Starts the data node on `port` again, as a replica of `masterPort`. */
  restartAsReplica(port: number, masterPort: number): Promise<void>;
  /** Resolves once the master has a replica in sync that every sentinel knows. */
  replicated(): Promise<void>;
  /** Stops every process and removes the sentinels' config files. */
  stop(): Promise<void>;
}

/** Starts the group and waits until the sentinels know the replica and each other. */
export async function startOwnedSentinelGroup(): Promise<OwnedSentinelGroup> {
  const dir = mkdtempSync(join(tmpdir(), 'celeriac-sentinel-'));
  const processes = new Map<number, ChildProcess>();
  const [first, second] = [await freePort(), await freePort()];
  const sentinelPorts = [await freePort(), await freePort(), await freePort()];

  const spawnServer = (port: number, args: string[]): Promise<void> => {
    const child = spawn('redis-server', args, { stdio: 'ignore' });
    processes.set(port, child);
    return untilPong(port, child);
  };
  const startNode = (port: number, replicaOf?: number): Promise<void> =>
    spawnServer(port, [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      // A replica's full sync writes an RDB file: into this group's folder,
      // never the working directory, where any later redis-server would load it.
      '--dir',
      dir,
      ...(replicaOf ? ['--replicaof', '127.0.0.1', String(replicaOf)] : []),
    ]);

  // Should jest exit without afterAll, no server of the group outlives it
  // (a sentinel left behind would reconfigure whatever later takes a port).
  const killAll = (): void => {
    for (const child of processes.values()) {
      child.kill('SIGKILL');
    }
  };
  process.once('exit', killAll);

  const stop = async (): Promise<void> => {
    process.off('exit', killAll);
    for (const child of processes.values()) {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = once(child, 'exit');
        child.kill('SIGKILL');
        await exited;
      }
    }
    processes.clear();
    rmSync(dir, { recursive: true, force: true });
  };

  const ask = async <T>(port: number, ...args: string[]): Promise<T> => {
    const client = new Redis({
      port,
      host: '127.0.0.1',
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    client.on('error', () => undefined);
    try {
      await client.connect();
      return (await client.call(args[0], ...args.slice(1))) as T;
    } finally {
      client.disconnect();
    }
  };

  const masterPort = async (): Promise<number> => {
    const [, port] = await ask<[string, string]>(
      sentinelPorts[0],
      'SENTINEL',
      'get-master-addr-by-name',
      OWNED_SENTINEL_MASTER,
    );
    return Number(port);
  };

  // Every sentinel sees 2 other sentinels and one replica that is not down.
  const sentinelsAgree = async (): Promise<boolean> => {
    for (const port of sentinelPorts) {
      const [sentinels, replicas] = await Promise.all([
        ask<string[][]>(port, 'SENTINEL', 'sentinels', OWNED_SENTINEL_MASTER),
        ask<string[][]>(port, 'SENTINEL', 'replicas', OWNED_SENTINEL_MASTER),
      ]);
      const upReplicas = replicas.filter((fields) => {
        const flags = fields[fields.indexOf('flags') + 1] ?? '';
        return !/down|disconnected/.test(flags);
      });
      if (sentinels.length !== 2 || upReplicas.length !== 1) {
        return false;
      }
    }
    return true;
  };

  const replicated = async (): Promise<void> => {
    const ok = await pollUntil(
      async () => {
        try {
          const info = await ask<string>(
            await masterPort(),
            'INFO',
            'replication',
          );
          return /slave0:.*state=online/.test(info) && (await sentinelsAgree());
        } catch {
          return false;
        }
      },
      Boolean,
      { timeoutMs: 30_000, intervalMs: 200 },
    );
    if (!ok) {
      throw new Error('the owned Redis replica did not come in sync');
    }
  };

  try {
    await startNode(first);
    await startNode(second, first);
    for (const port of sentinelPorts) {
      const conf = join(dir, `sentinel-${port}.conf`);
      writeFileSync(
        conf,
        [
          `port ${port}`,
          'bind 127.0.0.1',
          `sentinel monitor ${OWNED_SENTINEL_MASTER} 127.0.0.1 ${first} 2`,
          `sentinel down-after-milliseconds ${OWNED_SENTINEL_MASTER} ${DOWN_AFTER_MS}`,
          `sentinel failover-timeout ${OWNED_SENTINEL_MASTER} ${FAILOVER_TIMEOUT_MS}`,
          `sentinel parallel-syncs ${OWNED_SENTINEL_MASTER} 1`,
          '',
        ].join('\n'),
      );
      await spawnServer(port, [conf, '--sentinel']);
    }
    await replicated();
  } catch (error) {
    await stop();
    throw error;
  }

  return {
    url: sentinelPorts
      .map((port) => `sentinel://127.0.0.1:${port}/0`)
      .join(';'),
    sentinelPorts,
    masterPort,
    otherNode: (port) => (port === first ? second : first),
    kill: (port) => processes.get(port)?.kill('SIGKILL'),
    restartAsReplica: (port, master) => startNode(port, master),
    replicated,
    stop,
  };
}

/** Resolves once PING on `port` answers, or rejects when `child` exits or 10 s pass. */
async function untilPong(port: number, child: ChildProcess): Promise<void> {
  const up = await pollUntil(
    async () => {
      if (child.exitCode !== null) {
        return true;
      }
      const client = new Redis({
        port,
        host: '127.0.0.1',
        lazyConnect: true,
        maxRetriesPerRequest: 0,
        retryStrategy: () => null,
      });
      client.on('error', () => undefined);
      try {
        await client.connect();
        return (await client.ping()) === 'PONG';
      } catch {
        return false;
      } finally {
        client.disconnect();
      }
    },
    Boolean,
    { timeoutMs: 10_000, intervalMs: 50 },
  );
  if (!up || child.exitCode !== null) {
    throw new Error(`redis-server on port ${port} did not answer PING`);
  }
}
