// API_HOST, WORKER_HEALTH_HOST, BEAT_HEALTH_HOST and MONITOR_HOST choose
// the listen address. The worker and beat run as their built processes
// (their main.ts); the kernel's socket table says where they listen.
import type { INestApplication } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { CeleriacConfig } from '@celeriac/config';
import { bootApi, bootMonitor, useEnvironment } from '../utils/boot-apps';
import { deleteQueue } from '../utils/rabbitmq';
import {
  BEAT_APP,
  type BuiltApp,
  WORKER_APP,
  WorkerProcess,
} from '../utils/worker-process';
import { TEARDOWN_TIMEOUT_MS, teardown } from '../utils/teardown';

const queue = `e2e-bind-${randomUUID()}`;
const env = {
  TASK_DEFAULT_QUEUE: queue,
  WORKER_QUEUES: queue,
  TASK_TIME_SCALE: '0',
};
useEnvironment({ ...env, API_HOST: '127.0.0.1', MONITOR_HOST: '127.0.0.1' });

const LISTEN = '0A';

/** `0100007F` (little-endian hex) → `127.0.0.1`; IPv6 only for the two common cases. */
function decodeAddress(hex: string): string {
  if (hex.length === 8) {
    return (hex.match(/../g) ?? [])
      .reverse()
      .map((byte) => parseInt(byte, 16))
      .join('.');
  }
  if (/^0+$/.test(hex)) {
    return '::';
  }
  return hex === '00000000000000000000000001000000' ? '::1' : hex;
}

/** Every address a socket listens on for `port`, from /proc/net/tcp and tcp6. */
async function listenAddresses(port: number): Promise<string[]> {
  const addresses: string[] = [];
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    const text = await readFile(table, 'utf8').catch(() => '');
    for (const line of text.split('\n').slice(1)) {
      const [, local, , state] = line.trim().split(/\s+/);
      const [address, portHex] = (local ?? '').split(':');
      if (state === LISTEN && parseInt(portHex, 16) === port) {
        addresses.push(decodeAddress(address));
      }
    }
  }
  return addresses.sort();
}

describe('listen addresses', () => {
  const processes: WorkerProcess[] = [];
  const apps: INestApplication[] = [];

  const start = async (app: BuiltApp, extra: Record<string, string>) => {
    const started = await WorkerProcess.start(
      { ...env, WORKER_HOSTNAME: `e2e-${randomUUID()}@bind`, ...extra },
      app,
    );
    processes.push(started);
    return started;
  };

  afterAll(
    () =>
      teardown(
        ...processes.map((running) => async () => {
          running.signal('SIGTERM');
          await running.exited;
        }),
        ...apps.map((app) => () => app.close()),
        () => deleteQueue(queue),
      ),
    TEARDOWN_TIMEOUT_MS,
  );

  it('checks the socket table (it exists on this machine)', async () => {
    await expect(readFile('/proc/net/tcp', 'utf8')).resolves.toContain(
      'local_address',
    );
  });

  it('binds the worker health port to WORKER_HEALTH_HOST', async () => {
    const worker = await start(WORKER_APP, {
      WORKER_HEALTH_HOST: '127.0.0.1',
    });
    expect(await listenAddresses(worker.healthPort)).toEqual(['127.0.0.1']);
    expect(worker.logs()).toContainEqual(
      expect.objectContaining({
        msg: 'worker consuming',
        healthHost: '127.0.0.1',
      }),
    );
  }, 60_000);

  it('binds every interface by default', async () => {
    const worker = await start(WORKER_APP, {});
    expect(await listenAddresses(worker.healthPort)).toEqual(['0.0.0.0']);
  }, 60_000);

  it('binds the beat health port to BEAT_HEALTH_HOST', async () => {
    const beat = await start(BEAT_APP, { BEAT_HEALTH_HOST: '127.0.0.1' });
    expect(await listenAddresses(beat.healthPort)).toEqual(['127.0.0.1']);
  }, 60_000);

  it.each([
    ['api', bootApi, (config: CeleriacConfig) => config.api.host],
    ['monitor', bootMonitor, (config: CeleriacConfig) => config.monitor.host],
  ])(
    'reads the %s host and listens on it as main.ts does',
    async (_, boot, hostOf) => {
      const app = await boot();
      apps.push(app);
      const host = hostOf(app.get(CeleriacConfig));
      expect(host).toBe('127.0.0.1');
      await app.listen(0, host);
      const { address, port } = app.getHttpServer().address() as AddressInfo;
      expect(address).toBe('127.0.0.1');
      expect(await listenAddresses(port)).toEqual(['127.0.0.1']);
    },
    120_000,
  );
});
