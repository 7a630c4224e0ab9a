// `npm run bench:replica-wait`: what RESULT_BACKEND_WAIT_REPLICAS=1 costs.
// Starts a Redis master and one replica of its own (free ports, no
// persistence), then the built worker against that master, alternating round
// by round between no wait and `WAIT 1 <timeout>` before each ack, and times
// N no-op tasks (celery.accumulate) published at once until every result key
// exists. The worker is started as the main bench starts it.
//
// Settings (environment): BENCH_RW_ROUNDS (3), BENCH_RW_N (5000),
// BENCH_RW_WARMUP_N (1000), BENCH_CONCURRENCY (64), BENCH_PREFETCH_MULTIPLIER (1),
// BENCH_RW_TIMEOUT_MS (1000).
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import amqplib from 'amqplib';
import { Redis } from 'ioredis';
import { celeriacSystem } from './lib/systems.mjs';
import {
  buildMessages,
  declareQueue,
  deleteQueue,
  deleteResults,
  median,
  publishAll,
  waitForConsumer,
  waitForResults,
} from './lib/workload.mjs';

const env = process.env;
const settings = {
  rounds: Number(env.BENCH_RW_ROUNDS ?? 3),
  n: Number(env.BENCH_RW_N ?? 5000),
  warmupN: Number(env.BENCH_RW_WARMUP_N ?? 1000),
  timeoutMs: Number(env.BENCH_RW_TIMEOUT_MS ?? 1000),
  concurrency: Number(env.BENCH_CONCURRENCY ?? 64),
  prefetchMultiplier: Number(env.BENCH_PREFETCH_MULTIPLIER ?? 1),
  events: false,
  trackStarted: false,
  logLevel: 'warn',
};
const BROKER_URL = env.BROKER_URL ?? 'amqp://guest:guest@127.0.0.1:5672//';

function freePort() {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function startRedis(port, replicaOf) {
  const child = spawn(
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
      // The replica's full sync writes an RDB file: not into the repository.
      '--dir',
      dataDir,
      ...(replicaOf ? ['--replicaof', '127.0.0.1', String(replicaOf)] : []),
    ],
    { stdio: 'ignore' },
  );
  const client = new Redis({ port, lazyConnect: true, retryStrategy: null });
  client.on('error', () => undefined);
  for (let attempt = 0; attempt < 200; attempt++) {
    try {
      await client.connect();
      break;
    } catch {
      await sleep(50);
    }
  }
  return { child, client };
}

const dataDir = mkdtempSync(join(tmpdir(), 'celeriac-bench-replica-wait-'));
const masterPort = await freePort();
const replicaPort = await freePort();
const master = await startRedis(masterPort);
const replica = await startRedis(replicaPort, masterPort);
while (!/slave0:.*state=online/.test(await master.client.info('replication'))) {
  await sleep(100);
}
await replica.client.quit();

const connection = await amqplib.connect(BROKER_URL.replace(/\/\/$/, '/'));
const channel = await connection.createConfirmChannel();
const modes = [
  { name: 'no wait', replicas: 0 },
  { name: `WAIT 1 ${settings.timeoutMs}`, replicas: 1 },
];
const rates = new Map(modes.map((mode) => [mode.name, []]));
let micro = [];

/**
 * The WAIT alone, without the worker: a result-sized SET, then (or not)
 * `WAIT 1 <timeout>` on the same connection, one at a time (latency) and
 * 64 in flight (auto-pipelined, as the worker sends them).
 */
async function microBench(redis) {
  const client = redis.duplicate({ enableAutoPipelining: true });
  const value = 'x'.repeat(200);
  const rows = [];
  for (const wait of [false, true]) {
    const latencies = [];
    for (let index = 0; index < 2000; index++) {
      const started = performance.now();
      await client.set(`bench-rw-${index}`, value, 'EX', 60);
      if (wait) await client.wait(1, settings.timeoutMs);
      latencies.push(performance.now() - started);
    }
    const inFlight = 64;
    const total = 20_000;
    let next = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: inFlight }, async () => {
        while (next < total) {
          const index = next++;
          await client.set(`bench-rw-${index % 2000}`, value, 'EX', 60);
          if (wait) await client.wait(1, settings.timeoutMs);
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    latencies.sort((a, b) => a - b);
    rows.push({
      mode: wait ? `SET + WAIT 1 ${settings.timeoutMs}` : 'SET',
      p50: latencies[Math.floor(latencies.length / 2)],
      p99: latencies[Math.floor(latencies.length * 0.99)],
      perSecond: total / seconds,
    });
  }
  await client.quit();
  return rows;
}

try {
  for (let round = 0; round < settings.rounds; round++) {
    for (const mode of round % 2 === 0 ? modes : [...modes].reverse()) {
      const queue = `bench-replica-wait-${randomUUID()}`;
      await declareQueue(channel, queue);
      Object.assign(process.env, {
        RESULT_BACKEND_URL: `redis://127.0.0.1:${masterPort}/0`,
        RESULT_BACKEND_WAIT_REPLICAS: String(mode.replicas),
        RESULT_BACKEND_WAIT_TIMEOUT_MS: String(settings.timeoutMs),
      });
      const worker = celeriacSystem(settings).start(queue, await freePort());
      try {
        await waitForConsumer(channel, queue, 90_000, worker.exited).catch(
          (error) => {
            throw new Error(`${error.message}\n${worker.output()}`);
          },
        );
        const warmup = buildMessages(settings.warmupN);
        await publishAll(channel, queue, warmup);
        const warmIds = warmup.map(({ id }) => id);
        await waitForResults(channel, master.client, queue, warmIds, 120_000);
        const messages = buildMessages(settings.n);
        const ids = messages.map(({ id }) => id);
        const started = performance.now();
        await publishAll(channel, queue, messages);
        const finished = await waitForResults(
          channel,
          master.client,
          queue,
          ids,
          300_000,
        );
        const rate = settings.n / ((finished - started) / 1000);
        rates.get(mode.name).push(rate);
        console.log(
          `round ${round + 1} ${mode.name}: ${rate.toFixed(0)} tasks/s`,
        );
        await deleteResults(master.client, [...warmIds, ...ids]);
      } finally {
        await worker.stop();
        await deleteQueue(channel, queue);
      }
    }
  }
  micro = await microBench(master.client);
} finally {
  await connection.close();
  await master.client.quit();
  master.child.kill('SIGKILL');
  replica.child.kill('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
}

const base = median(rates.get(modes[0].name));
console.log(
  `\nend to end, ${settings.n} tasks, c${settings.concurrency}×${settings.prefetchMultiplier}, median of ${settings.rounds}:`,
);
console.log('| mode | tasks/s | vs no wait |');
console.log('| --- | --- | --- |');
for (const mode of modes) {
  const rate = median(rates.get(mode.name));
  console.log(
    `| ${mode.name} | ${rate.toFixed(0)} | ${((rate / base - 1) * 100).toFixed(0)}% |`,
  );
}

console.log(
  '\nthe write alone, 2000 one at a time and 20000 with 64 in flight:',
);
console.log('| mode | p50 ms | p99 ms | writes/s (64 in flight) |');
console.log('| --- | --- | --- | --- |');
for (const row of micro) {
  console.log(
    `| ${row.mode} | ${row.p50.toFixed(3)} | ${row.p99.toFixed(3)} | ${row.perSecond.toFixed(0)} |`,
  );
}
