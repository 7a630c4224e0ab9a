// CPU time per request of the built api (dist) under autocannon c16, for the
// seed comparison's front-door routes: GET /solo/add, POST /v1/tasks and
// GET /result/{id} of a done task. CPU-µs per request (user + system of the
// api's process tree, from /proc: a clustered api's primary and workers)
// moves far less than req/s on a busy machine.
// Nothing consumes the queue; it is purged after each run and deleted at the end.
//   node bench/api-cpu.mjs            (after `npx nest build api`)
// Settings: BENCH_API_SECONDS (5), BENCH_API_ROUNDS (3), BENCH_API_PORT,
// BENCH_API_PROFILE=<dir> (the api runs under `node --cpu-prof` into <dir>),
// BENCH_API_MAIN (another build's main.js, to compare two builds),
// BENCH_API_PROCESSES=<n>[,<n>…] (the api's API_PROCESSES; unset: its
// default, auto; a list starts one api per entry and alternates them
// route by route, an A/B in the same minutes),
// BENCH_API_RATE (requests per second for all 16 connections together; unset:
// as fast as they go; a fixed rate compares two builds at the same load on a
// machine too busy for either to reach its own),
// BENCH_API_LOG_LEVEL (warn; `info` logs every request, as the api does by
// default and as the seed comparison runs it; its stdout is then read through
// a pipe, as there),
// BROKER_URL, RESULT_BACKEND_URL.
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import amqplib from 'amqplib';
import { Redis } from 'ioredis';
import { startApi } from './lib/api-process.mjs';
import { cpuSeconds } from './lib/proc-stats.mjs';
import { median } from './lib/workload.mjs';

const require = createRequire(import.meta.url);
const autocannon = require('autocannon');

const BROKER_URL =
  process.env.BROKER_URL ?? 'amqp://guest:guest@127.0.0.1:5672//';
const REDIS_URL = process.env.RESULT_BACKEND_URL ?? 'redis://127.0.0.1:6379/0';
const SECONDS = Number(process.env.BENCH_API_SECONDS ?? 5);
const ROUNDS = Number(process.env.BENCH_API_ROUNDS ?? 3);
const PORT = Number(
  process.env.BENCH_API_PORT ?? 19_400 + Math.floor(Math.random() * 400),
);
const PROFILE_DIR = process.env.BENCH_API_PROFILE;
const PROCESS_COUNTS = process.env.BENCH_API_PROCESSES?.split(',') ?? [
  undefined,
];
const RATE = process.env.BENCH_API_RATE
  ? { overallRate: Number(process.env.BENCH_API_RATE) }
  : {};

const queue = `bench-api-cpu-${randomUUID().slice(0, 8)}`;
const doneId = randomUUID();
const connection = await amqplib.connect(BROKER_URL);
const channel = await connection.createChannel();
const redis = new Redis(REDIS_URL);
await channel.assertQueue(queue, { durable: true });
// A finished task, as a worker would have written it.
await redis.set(
  `celery-task-meta-${doneId}`,
  JSON.stringify({
    status: 'SUCCESS',
    result: 3,
    traceback: null,
    children: [],
    date_done: new Date().toISOString().replace('Z', ''),
    task_id: doneId,
  }),
  'EX',
  600,
);
const apis = [];
for (const [index, processes] of PROCESS_COUNTS.entries()) {
  const api = await startApi({
    brokerUrl: BROKER_URL,
    redisUrl: REDIS_URL,
    port: PORT + index,
    env: {
      TASK_DEFAULT_QUEUE: queue,
      LOG_LEVEL: process.env.BENCH_API_LOG_LEVEL ?? 'warn',
      ...(processes ? { API_PROCESSES: processes } : {}),
    },
    readStdout: process.env.BENCH_API_LOG_LEVEL !== undefined,
    nodeArgs: PROFILE_DIR
      ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`]
      : [],
    ...(process.env.BENCH_API_MAIN ? { main: process.env.BENCH_API_MAIN } : {}),
  });
  apis.push({ ...api, label: processes ?? 'default' });
}

const routesOf = (api) => [
  { name: 'GET /solo/add', url: `${api.url}/solo/add` },
  {
    name: 'POST /v1/tasks',
    url: `${api.url}/v1/tasks`,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ task: 'add_task', args: [1, 2] }),
  },
  { name: 'GET /result/{id}', url: `${api.url}/result/${doneId}` },
];

async function measure(api, route) {
  await autocannon({ ...route, connections: 8, duration: 1 });
  const before = cpuSeconds(api.pid);
  const result = await autocannon({
    ...route,
    connections: 16,
    duration: SECONDS,
    ...RATE,
  });
  const cpu = cpuSeconds(api.pid) - before;
  await channel.purgeQueue(queue);
  return {
    perSecond: result.requests.average,
    p99Ms: result.latency.p99,
    non2xx: result.non2xx,
    cpuUsPerRequest: (cpu * 1e6) / result.requests.total,
  };
}

// Keyed by route, then by API_PROCESSES: the table's rows in that order.
const runs = new Map();
try {
  for (let round = 0; round < ROUNDS; round++) {
    for (const [index, { name }] of routesOf(apis[0]).entries()) {
      for (const api of apis) {
        const run = await measure(api, routesOf(api)[index]);
        const key = `${name} | ${api.label}`;
        runs.set(key, [...(runs.get(key) ?? []), run]);
        console.error(
          `[api-cpu] round ${round + 1} ${name} (API_PROCESSES ${api.label}): ${run.cpuUsPerRequest.toFixed(0)} CPU-µs/req, ${run.perSecond.toFixed(0)} req/s, p99 ${run.p99Ms} ms${run.non2xx ? `, ${run.non2xx} non-2xx` : ''}`,
        );
      }
    }
  }
} finally {
  await Promise.all(apis.map((api) => api.stop()));
  await channel.deleteQueue(queue).catch(() => undefined);
  await redis.del(`celery-task-meta-${doneId}`);
  await connection.close();
  redis.disconnect();
}

console.log(
  `| route | API_PROCESSES | CPU-µs/req, process tree (median of ${ROUNDS}) | req/s | p99 ms |`,
);
console.log('|---|---|---|---|---|');
for (const [name, list] of runs) {
  const pick = (key) => median(list.map((run) => run[key]));
  console.log(
    `| ${name} | ${pick('cpuUsPerRequest').toFixed(0)} | ${pick('perSecond').toFixed(0)} | ${pick('p99Ms')} |`,
  );
}
