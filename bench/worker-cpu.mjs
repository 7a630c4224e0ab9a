// CPU time per task of the built worker with its DEFAULTS (WORKER_CONCURRENCY=2,
// events on, prefetch ×4, STARTED tracked, the default pool and log level), the
// worker of the seed comparison's row (a). For each run the worker is paused
// (SIGSTOP), BENCH_WORKER_CPU_N `add_task(1, 2)` messages are published, and
// the worker resumed: its CPU-µs per task (user + system of its process tree,
// from /proc) and the drain rate until every result is SUCCESS. Given another
// build (BENCH_WORKER_CPU_BASE, a main.js inside the repository or absolute),
// both run in alternating rounds, so load from elsewhere hits them alike.
//   node bench/worker-cpu.mjs            (after `npx nest build worker`)
// With BENCH_WORKER_CPU_RATE (tasks/s), the messages are instead published at
// that pace while the worker runs, a few every 2 ms, as the api feeds it.
// Settings: BENCH_WORKER_CPU_N (3000), BENCH_WORKER_CPU_ROUNDS (5),
// BENCH_WORKER_CPU_BASE, BENCH_WORKER_CPU_BASE_ENV (JSON: settings of that
// one, e.g. the same build at LOG_LEVEL=warn), BENCH_WORKER_CPU_PORT (health ports from it),
// BENCH_WORKER_CPU_PROFILE=<dir> (the worker under `node --cpu-prof`),
// BENCH_WORKER_CPU_NODE_FLAGS (more, e.g. --perf-basic-prof for `perf record`),
// BENCH_WORKER_CPU_BROKER_PID (RabbitMQ's beam.smp: its CPU per task too),
// BROKER_URL, RESULT_BACKEND_URL (db 12 of the local Redis).
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import amqplib from 'amqplib';
import { Redis } from 'ioredis';
import { continueTree, cpuSeconds, stopTree } from './lib/proc-stats.mjs';
import { START_WORKER_FLAGS } from './lib/systems.mjs';
import {
  broker,
  declareQueue,
  deleteQueue,
  median,
  publishAll,
  waitForConsumer,
} from './lib/workload.mjs';

const env = process.env;
const ROOT = resolve(import.meta.dirname, '..');
const BROKER_URL = env.BROKER_URL ?? 'amqp://guest:guest@127.0.0.1:5672//';
const REDIS_URL = env.RESULT_BACKEND_URL ?? 'redis://127.0.0.1:6379/12';
const N = Number(env.BENCH_WORKER_CPU_N ?? 3000);
const ROUNDS = Number(env.BENCH_WORKER_CPU_ROUNDS ?? 5);
const PORT = Number(
  env.BENCH_WORKER_CPU_PORT ?? 19_800 + Math.floor(Math.random() * 100),
);
const PROFILE_DIR = env.BENCH_WORKER_CPU_PROFILE;
const RATE = Number(env.BENCH_WORKER_CPU_RATE ?? 0);
// RabbitMQ's CPU per task too (its beam.smp pid): the worker's messages cost it.
const BROKER_PID = Number(env.BENCH_WORKER_CPU_BROKER_PID ?? 0);
const builds = [
  { name: 'this', main: 'dist/apps/worker/apps/worker/src/main.js' },
  ...(env.BENCH_WORKER_CPU_BASE
    ? [
        {
          name: 'base',
          main: env.BENCH_WORKER_CPU_BASE,
          settings: JSON.parse(env.BENCH_WORKER_CPU_BASE_ENV ?? '{}'),
        },
      ]
    : []),
];

// The caller's own celeriac settings must not tune the "defaults" worker.
const CELERIAC_SETTING =
  /^(API_|WORKER_|TASK_|BEAT_|MONITOR_|RESULT_EXPIRES$|LOG_LEVEL$)/;

function spawnWorker({ main, nodeFlags, env: settings }) {
  const inherited = Object.entries(env).filter(
    ([name]) => !CELERIAC_SETTING.test(name),
  );
  const child = spawn(process.execPath, [...nodeFlags, main], {
    cwd: ROOT,
    env: { ...Object.fromEntries(inherited), ...settings },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  // Read, as a terminal would: the default level logs a line per task.
  const keep = (chunk) => (output = (output + chunk).slice(-8000));
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exit = new Promise((done) => child.once('exit', done));
  const exited = () => child.exitCode !== null || child.signalCode !== null;
  return {
    pid: child.pid,
    exited,
    output: () => output,
    async stop() {
      if (exited()) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exit;
      clearTimeout(timer);
    },
  };
}

function messages(count) {
  return Array.from({ length: count }, () => {
    const id = randomUUID();
    const message = broker.buildTaskMessage({
      task: 'add_task',
      id,
      args: [1, 2],
      kwargs: {},
      argsForm: 'list',
      priority: 0,
    });
    return { id, ...broker.encodeTaskMessage(message) };
  });
}

async function allSucceeded(redis, ids) {
  const deadline = Date.now() + 120_000;
  let pending = ids.map((id) => `celery-task-meta-${id}`);
  while (pending.length > 0) {
    const found = await redis.mget(pending);
    pending = pending.filter((_, i) => !found[i]?.includes('"SUCCESS"'));
    if (pending.length === 0) break;
    if (Date.now() > deadline) throw new Error(`${pending.length} missing`);
    await sleep(5);
  }
  return performance.now();
}

const connection = await amqplib.connect(BROKER_URL);
const channel = await connection.createConfirmChannel();
const redis = new Redis(REDIS_URL);
const runs = new Map(builds.map(({ name }) => [name, []]));

for (const [index, build] of builds.entries()) {
  build.queue = `bench-worker-cpu-${build.name}-${randomUUID().slice(0, 6)}`;
  await declareQueue(channel, build.queue);
  build.worker = spawnWorker({
    main: resolve(ROOT, build.main),
    nodeFlags: [
      ...START_WORKER_FLAGS,
      ...(PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`] : []),
      ...(env.BENCH_WORKER_CPU_NODE_FLAGS?.split(/\s+/).filter(Boolean) ?? []),
    ],
    env: {
      BROKER_URL,
      RESULT_BACKEND_URL: REDIS_URL,
      WORKER_QUEUES: build.queue,
      TASK_DEFAULT_QUEUE: build.queue,
      WORKER_HOSTNAME: `${build.queue}@bench`,
      WORKER_HEALTH_PORT: String(PORT + index),
      TASK_TIME_SCALE: '0',
      ...build.settings,
    },
  });
}

// Paced: BENCH_WORKER_CPU_RATE tasks/s published in a burst every 2 ms while
// the worker runs, as the api feeds it in row (a), a few tasks at a time.
async function paced(channel, queue, batch) {
  const perTick = Math.max(1, Math.round(RATE / 500));
  for (let index = 0; index < batch.length; index += perTick) {
    for (const { content, options } of batch.slice(index, index + perTick)) {
      channel.publish('', queue, content, options);
    }
    await sleep(2);
  }
  await channel.waitForConfirms();
}

async function drain(build) {
  const batch = messages(N);
  const stopped = RATE ? [] : stopTree(build.worker.pid);
  const cpuBefore = RATE ? cpuSeconds(build.worker.pid) : 0;
  const brokerBefore = BROKER_PID && RATE ? cpuSeconds(BROKER_PID) : 0;
  const start = performance.now();
  await (RATE ? paced : publishAll)(channel, build.queue, batch);
  const cpuStart = RATE ? cpuBefore : cpuSeconds(build.worker.pid);
  const brokerStart =
    BROKER_PID && !RATE ? cpuSeconds(BROKER_PID) : brokerBefore;
  const drainStart = RATE ? start : performance.now();
  continueTree(stopped);
  const end = await allSucceeded(
    redis,
    batch.map(({ id }) => id),
  );
  const cpu = cpuSeconds(build.worker.pid) - cpuStart;
  const brokerCpu = BROKER_PID ? cpuSeconds(BROKER_PID) - brokerStart : 0;
  await redis.unlink(...batch.map(({ id }) => `celery-task-meta-${id}`));
  return {
    cpuUs: (cpu * 1e6) / N,
    brokerCpuUs: (brokerCpu * 1e6) / N,
    perSecond: N / ((end - drainStart) / 1000),
  };
}

try {
  for (const build of builds) {
    await waitForConsumer(channel, build.queue, 60_000, build.worker.exited);
    await drain(build); // warm-up: the JIT, connections
    console.error(`[worker-cpu] ${build.name}: pid ${build.worker.pid}`);
  }
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 === 0 ? builds : [...builds].reverse();
    for (const build of order) {
      const run = await drain(build);
      runs.get(build.name).push(run);
      console.error(
        `[worker-cpu] round ${round + 1} ${build.name}: ${run.cpuUs.toFixed(0)} CPU-µs/task, ${run.perSecond.toFixed(0)} tasks/s` +
          (BROKER_PID
            ? `, broker ${run.brokerCpuUs.toFixed(0)} CPU-µs/task`
            : ''),
      );
    }
  }
} finally {
  for (const build of builds) {
    await build.worker.stop();
    await deleteQueue(channel, build.queue);
  }
  await connection.close();
  redis.disconnect();
}

console.log(
  `| build | CPU-µs/task (median of ${ROUNDS}) | tasks/s | broker CPU-µs/task |`,
);
console.log('|---|---|---|---|');
for (const [name, list] of runs) {
  const pick = (key) => median(list.map((run) => run[key])).toFixed(0);
  const broker = BROKER_PID ? pick('brokerCpuUs') : '-';
  console.log(
    `| ${name} | ${pick('cpuUs')} | ${pick('perSecond')} | ${broker} |`,
  );
}
