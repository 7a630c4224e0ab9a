// The CPU phase: 8 × fib_task (naive recursive Fibonacci) with concurrency 2
// on celeriac's three pools, beside Python Celery's prefork -c 2 running the
// same recursion. Python runs it far slower per call, so it gets a smaller n
// and the comparison is in fib calls per second.
// Settings: BENCH_CPU (auto | off | only), BENCH_CPU_N (36), BENCH_CPU_PY_N (30),
// BENCH_CPU_TASKS (8).
import { randomUUID } from 'node:crypto';
import { celeriacSystem, celeryAvailable, celerySystem } from './systems.mjs';
import {
  broker,
  declareQueue,
  deleteQueue,
  deleteResults,
  publishAll,
  waitForConsumer,
  waitForResults,
} from './workload.mjs';

const POOLS = ['event-loop', 'processes', 'threads'];
const BOOT_TIMEOUT_MS = 90_000;
const PHASE_TIMEOUT_MS = 600_000;

export function cpuSettings(env) {
  return {
    mode: env.BENCH_CPU ?? 'auto',
    n: Number(env.BENCH_CPU_N ?? 36),
    pyN: Number(env.BENCH_CPU_PY_N ?? 30),
    tasks: Number(env.BENCH_CPU_TASKS ?? 8),
  };
}

function fibMessages(count, n) {
  return Array.from({ length: count }, () => {
    const id = randomUUID();
    const { content, options } = broker.encodeTaskMessage(
      broker.buildTaskMessage({
        task: 'fib_task',
        id,
        args: [n],
        kwargs: {},
        argsForm: 'list',
      }),
    );
    return { id, content, options };
  });
}

/** Calls the naive recursion makes for fib(n): 2·fib(n+1) − 1. */
function fibCalls(n) {
  let [a, b] = [0, 1];
  for (let index = 0; index < n + 1; index++) [a, b] = [b, a + b];
  return 2 * a - 1;
}

async function measure({ label, system, n }, ctx) {
  const { channel, redis, run, nextPort, settings, log } = ctx;
  const queue = `bench-cpu-${run}-${randomUUID().slice(0, 8)}`;
  await declareQueue(channel, queue);
  const worker = system.start(queue, nextPort(1));
  const row = { label, n, tasks: settings.tasks };
  const warmup = fibMessages(2, 15);
  const timed = fibMessages(settings.tasks, n);
  try {
    await waitForConsumer(channel, queue, BOOT_TIMEOUT_MS, worker.exited);
    // Both slots warm (pool children booted) before the clock starts.
    await publishAll(channel, queue, warmup);
    await waitForResults(
      channel,
      redis,
      queue,
      warmup.map(({ id }) => id),
      BOOT_TIMEOUT_MS,
    );
    const start = performance.now();
    await publishAll(channel, queue, timed);
    const end = await waitForResults(
      channel,
      redis,
      queue,
      timed.map(({ id }) => id),
      PHASE_TIMEOUT_MS,
    );
    const meta = JSON.parse(
      (await redis.get(`celery-task-meta-${timed[0].id}`)) ?? '{}',
    );
    row.status = meta.status;
    row.seconds = (end - start) / 1000;
    row.tasksPerSecond = settings.tasks / row.seconds;
    row.fibCallsPerSecond = (settings.tasks * fibCalls(n)) / row.seconds;
    log(
      `${label}: ${settings.tasks} × fib(${n}) in ${row.seconds.toFixed(2)} s`,
    );
  } catch (error) {
    row.error = error.message;
    log(`${label}: ${error.message}\n${worker.output().slice(-2000)}`);
  } finally {
    await worker.stop();
    await deleteQueue(channel, queue);
    await deleteResults(
      redis,
      [...warmup, ...timed].map(({ id }) => id),
    );
  }
  return row;
}

/** Runs every system once, one after the other; rows in that order. */
export async function cpuPhase(ctx) {
  const { settings } = ctx;
  const systems = POOLS.map((pool) => ({
    label: `celeriac ${pool} c2`,
    n: settings.n,
    system: celeriacSystem({
      concurrency: 2,
      prefetchMultiplier: 1,
      events: 'false',
      trackStarted: 'false',
      logLevel: 'warn',
      pool,
    }),
  }));
  if (celeryAvailable()) {
    systems.push({
      label: 'Celery prefork c2',
      n: settings.pyN,
      system: celerySystem('prefork', 2),
    });
  }
  const rows = [];
  for (const entry of systems) {
    rows.push(await measure(entry, ctx));
  }
  const base = rows[0]?.fibCallsPerSecond;
  for (const row of rows) {
    row.vsEventLoop =
      base && row.fibCallsPerSecond ? row.fibCallsPerSecond / base : null;
  }
  return rows;
}

export function printCpuTable(rows) {
  if (!rows) return;
  if (!Array.isArray(rows)) {
    console.log(`\nCPU phase failed: ${rows.error}`);
    return;
  }
  console.log('\nCPU-bound: fib_task, concurrency 2');
  console.log(
    '| system | n | tasks | seconds | tasks/s | fib calls/s | × event-loop |',
  );
  console.log('| --- | --- | --- | --- | --- | --- | --- |');
  for (const row of rows) {
    const cell = (value, digits) =>
      typeof value === 'number' ? value.toFixed(digits) : (row.error ?? '-');
    console.log(
      `| ${row.label} | ${row.n} | ${row.tasks} | ${cell(row.seconds, 2)} | ${cell(row.tasksPerSecond, 2)} | ` +
        `${cell(row.fibCallsPerSecond / 1e6, 1)} M | ${cell(row.vsEventLoop, 2)} |`,
    );
  }
}
