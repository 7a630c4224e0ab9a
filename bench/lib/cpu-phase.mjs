// The CPU phase: 8 × fib_task (naive recursive Fibonacci) with concurrency 2
// on celeriac's three pools, beside Python Celery's prefork -c 2 running the
// same recursion. Python runs it far slower per call, so it gets a smaller n
// and the comparison is in fib calls per second. Then, on the same celeriac
// worker, remote-control pings while two spin_task run (bench/lib/busy-ping.mjs).
// Settings: BENCH_CPU (auto | off | only), BENCH_CPU_N (36), BENCH_CPU_PY_N (30),
// BENCH_CPU_TASKS (8), BENCH_CPU_PINGS (100; 0 = no pings),
// BENCH_CPU_PING_INTERVAL_MS (20), BENCH_CPU_SPIN_SECONDS (5).
import { randomUUID } from 'node:crypto';
import { pingWhileSpinning, startControlClient } from './busy-ping.mjs';
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
    pings: Number(env.BENCH_CPU_PINGS ?? 100),
    pingIntervalMs: Number(env.BENCH_CPU_PING_INTERVAL_MS ?? 20),
    spinSeconds: Number(env.BENCH_CPU_SPIN_SECONDS ?? 5),
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

async function measure({ label, system, n, node }, ctx) {
  const { channel, redis, run, nextPort, settings, log, control } = ctx;
  const queue = `bench-cpu-${run}-${randomUUID().slice(0, 8)}`;
  await declareQueue(channel, queue);
  const worker = system.start(queue, nextPort(1));
  const row = { label, n, tasks: settings.tasks };
  const warmup = fibMessages(2, 15);
  const timed = fibMessages(settings.tasks, n);
  const spinIds = [];
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
    if (node && control && settings.pings > 0) {
      row.busyPing = await pingWhileSpinning(
        { channel, redis, queue, node, control, settings },
        spinIds,
      );
      const { p50Ms, p99Ms, unanswered } = row.busyPing;
      log(
        `${label}: ping while 2 × spin_task(${settings.spinSeconds}) run: ` +
          `p50 ${p50Ms?.toFixed(1)} ms, p99 ${p99Ms?.toFixed(1)} ms, ${unanswered} unanswered`,
      );
    }
  } catch (error) {
    row.error = error.message;
    log(`${label}: ${error.message}\n${worker.output().slice(-2000)}`);
  } finally {
    await worker.stop();
    await deleteQueue(channel, queue);
    await deleteResults(redis, [
      ...[...warmup, ...timed].map(({ id }) => id),
      ...spinIds,
    ]);
  }
  return row;
}

/** Runs every system once, one after the other; rows in that order. */
export async function cpuPhase(ctx) {
  const { settings, run } = ctx;
  const systems = POOLS.map((pool) => {
    const node = `bench-cpu-${pool}-${run}@bench`;
    return {
      label: `celeriac ${pool} c2`,
      n: settings.n,
      node,
      system: celeriacSystem({
        concurrency: 2,
        prefetchMultiplier: 1,
        events: 'false',
        trackStarted: 'false',
        logLevel: 'warn',
        pool,
        env: { WORKER_HOSTNAME: node },
      }),
    };
  });
  if (celeryAvailable()) {
    systems.push({
      label: 'Celery prefork c2',
      n: settings.pyN,
      system: celerySystem('prefork', 2),
    });
  }
  const control =
    settings.pings > 0 ? await startControlClient(ctx.brokerUrl) : null;
  const rows = [];
  try {
    for (const entry of systems) {
      rows.push(await measure(entry, { ...ctx, control: control?.client }));
    }
  } finally {
    await control?.close();
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
  const pinged = rows.filter((row) => row.busyPing);
  if (pinged.length === 0) return;
  const { spinTaskSeconds } = pinged[0].busyPing;
  console.log(
    `\nRemote-control ping while two spin_task(${spinTaskSeconds}) run (reply time; goal: p99 ≤ 200 ms)`,
  );
  console.log(
    '| system | pings | p50 ms | p99 ms | max ms | unanswered | spins outlasted pings |',
  );
  console.log('| --- | --- | --- | --- | --- | --- | --- |');
  for (const { label, busyPing: ping } of pinged) {
    const ms = (value) => (typeof value === 'number' ? value.toFixed(1) : '-');
    console.log(
      `| ${label} | ${ping.pings} | ${ms(ping.p50Ms)} | ${ms(ping.p99Ms)} | ${ms(ping.maxMs)} | ` +
        `${ping.unanswered} | ${ping.spinsOutlastedPings ? 'yes' : 'no'} |`,
    );
  }
}
