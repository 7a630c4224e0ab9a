// `npm run bench`: celeriac against the raw amqplib + Redis consumer and
// Python Celery on the same broker, Redis and no-op task, alternating the
// systems round by round so that load from elsewhere on the machine hits
// them alike. Prints a table and writes bench/results/<timestamp>.json.
//
// Settings (environment): BENCH_ROUNDS (5), BENCH_E2E_N (20000),
// BENCH_DRAIN_N (5000), BENCH_WARMUP_N (2000), BENCH_RTT_N (700 per round), BENCH_PUBLISH_N (10000),
// BENCH_HTTP_SECONDS (5), BENCH_CELERY (auto | off), BENCH_CONCURRENCY (64),
// BENCH_PREFETCH_MULTIPLIER (1), BENCH_EVENTS (false), BENCH_TRACK_STARTED (false),
// BENCH_LOG_LEVEL (warn), BENCH_RAW_PREFETCH (64), BENCH_SYSTEMS (all:
// celeriac,raw-setex,raw-pipelined,celery), BENCH_WORKER_MAIN (another build of the
// worker, inside the repository), BENCH_WORKER_NODE_FLAGS (its V8 flags instead of start:worker's).
// Then the seed comparison (bench/lib/seed-comparison.mjs): BENCH_SEED (auto | off |
// only: just that phase), BENCH_SEED_ROUNDS (3), BENCH_SEED_E2E_N (2000),
// BENCH_SEED_LATENCY_N (200), BENCH_SEED_REDIS_URL (db 13), BENCH_SEED_ENV (JSON).
// Then bulk submit (bench/lib/bulk-submit.mjs): BENCH_BULK (auto | off), BENCH_BULK_ROUNDS (3),
// BENCH_BULK_BATCHES (12 per round), BENCH_BULK_SIZE (1000), BENCH_BULK_CONNECTIONS (3)
// BENCH_BULK_RAW (64,512,3000: the raw publisher's in-flight limits, or off)
// (alone: node bench/bulk.mjs, with BENCH_BULK_BULLMQ, BENCH_API_MAIN, BENCH_BULK_API_FLAGS).
// Then the CPU phase (bench/lib/cpu-phase.mjs, alone: node bench/cpu.mjs): BENCH_CPU (auto | off),
// BENCH_CPU_N (36), BENCH_CPU_PY_N (30), BENCH_CPU_TASKS (8), BENCH_CPU_PINGS (100),
// BENCH_CPU_PING_INTERVAL_MS (20), BENCH_CPU_SPIN_SECONDS (5).
// Then the canvas phase (bench/lib/canvas-phase.mjs, alone: node bench/canvas.mjs): BENCH_CANVAS
// (auto | off), BENCH_CANVAS_N (10000), BENCH_CANVAS_CHAIN (100), BENCH_CANVAS_WARMUP_N (200),
// BENCH_CANVAS_CONCURRENCY (2), BENCH_CANVAS_PREFETCH_MULTIPLIER (4).
// Then the limits phase (bench/lib/limits-phase.mjs, alone: node bench/limits.mjs): BENCH_LIMITS
// (auto | off), BENCH_LIMITS_N (5000), BENCH_LIMITS_ROUNDS (3), BENCH_LIMITS_RATE ('100000/s'),
// BENCH_LIMITS_KEY_LIMIT (100000), BENCH_LIMITS_CONCURRENCY (64), BENCH_LIMITS_PREFETCH_MULTIPLIER (1).
import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { resolve } from 'node:path';
import amqplib from 'amqplib';
import { Redis } from 'ioredis';
import {
  continueTree,
  cpuSeconds,
  sampleRss,
  stopTree,
} from './lib/proc-stats.mjs';
import { bulkSettings, bulkSubmit, printBulk } from './lib/bulk-submit.mjs';
import {
  canvasPhase,
  canvasSettings,
  printCanvasTable,
} from './lib/canvas-phase.mjs';
import { cpuPhase, cpuSettings, printCpuTable } from './lib/cpu-phase.mjs';
import {
  limitsPhase,
  limitsSettings,
  printLimitsTable,
} from './lib/limits-phase.mjs';
import { publishOnly } from './lib/publish-only.mjs';
import { printTable, summarize } from './lib/report.mjs';
import { seedComparison } from './lib/seed-comparison.mjs';
import { printSeedTable } from './lib/seed-report.mjs';
import {
  celeriacSystem,
  celeryAvailable,
  celerySystem,
  rawSystem,
  START_WORKER_FLAGS,
} from './lib/systems.mjs';
import {
  buildMessages,
  declareQueue,
  deleteQueue,
  deleteResults,
  publishAll,
  roundTrips,
  waitForConsumer,
  waitForResults,
} from './lib/workload.mjs';

const env = process.env;
const settings = {
  rounds: Number(env.BENCH_ROUNDS ?? 5),
  e2eN: Number(env.BENCH_E2E_N ?? 20_000),
  drainN: Number(env.BENCH_DRAIN_N ?? 5_000),
  warmupN: Number(env.BENCH_WARMUP_N ?? 2_000),
  rttN: Number(env.BENCH_RTT_N ?? 700),
  publishN: Number(env.BENCH_PUBLISH_N ?? 10_000),
  httpSeconds: Number(env.BENCH_HTTP_SECONDS ?? 5),
  celery: env.BENCH_CELERY ?? 'auto',
  concurrency: Number(env.BENCH_CONCURRENCY ?? 64),
  prefetchMultiplier: Number(env.BENCH_PREFETCH_MULTIPLIER ?? 1),
  events: env.BENCH_EVENTS ?? 'false',
  trackStarted: env.BENCH_TRACK_STARTED ?? 'false',
  logLevel: env.BENCH_LOG_LEVEL ?? 'warn',
  rawPrefetch: Number(env.BENCH_RAW_PREFETCH ?? 64),
  baselineMain: env.BENCH_BASELINE_MAIN,
  systems: (
    env.BENCH_SYSTEMS ?? 'celeriac,raw-setex,raw-pipelined,celery'
  ).split(','),
  seed: env.BENCH_SEED ?? 'auto',
  bulk: bulkSettings(env),
  cpu: cpuSettings(env),
  canvas: canvasSettings(env),
  limits: limitsSettings(env),
};
const tunedPhases = settings.seed !== 'only';
const BROKER_URL = env.BROKER_URL ?? 'amqp://guest:guest@127.0.0.1:5672//';
const REDIS_URL = env.RESULT_BACKEND_URL ?? 'redis://127.0.0.1:6379/0';
const RUN = randomUUID().slice(0, 8);
const PHASE_TIMEOUT_MS = 120_000;
// A pool that is hopeless here (Celery's threads pool can crawl) must not
// eat the run's time: the probe gives up on it after this.
const PROBE_TIMEOUT_MS = 20_000;
const log = (line) => console.error(`[bench ${RUN}] ${line}`);

const connection = await amqplib.connect(BROKER_URL.replace(/\/\/$/, '/'));
const channel = await connection.createConfirmChannel();
// A check on a missing queue closes the channel; every queue here is ours.
channel.on('error', (error) => log(`channel error: ${error.message}`));
const redis = new Redis(REDIS_URL);
const subscriber = new Redis(REDIS_URL);

let nextPort = 18_700 + Math.floor(Math.random() * 500);

/**
 * One system, one round, on one worker: warm-up, drain, end to end, round
 * trips. Every worker first runs the same warm-up tasks untimed (V8's JIT,
 * Python's imports and pools), so the drain does not time a cold start.
 */
async function measure(system, round) {
  const queue = `bench-${RUN}-${system.name}-r${round}`;
  await declareQueue(channel, queue);
  const warmup = buildMessages(settings.warmupN);
  const drain = buildMessages(settings.drainN);
  const e2e = buildMessages(settings.e2eN);
  const worker = system.start(queue, nextPort++);
  const stopRss = sampleRss(worker.pid);
  const result = { system: system.name, label: system.label, round };
  const phaseTimeout = round === 'probe' ? PROBE_TIMEOUT_MS : PHASE_TIMEOUT_MS;
  try {
    await waitForConsumer(channel, queue, 30_000, worker.exited);
    if (warmup.length > 0) {
      await publishAll(channel, queue, warmup);
      await waitForResults(
        channel,
        redis,
        queue,
        warmup.map(({ id }) => id),
        phaseTimeout,
      );
    }
    // Drain: the warm worker is stopped (SIGSTOP, its whole process tree)
    // while the queue fills, and timed from SIGCONT to the last result.
    const stopped = stopTree(worker.pid);
    let drainStart;
    try {
      await publishAll(channel, queue, drain);
    } finally {
      drainStart = performance.now();
      continueTree(stopped);
    }
    const drainEnd = await waitForResults(
      channel,
      redis,
      queue,
      drain.map(({ id }) => id),
      phaseTimeout,
    );
    result.drainPerSecond = settings.drainN / ((drainEnd - drainStart) / 1000);

    // End to end: publish and consume at once.
    const cpuBefore = cpuSeconds(worker.pid);
    const e2eStart = performance.now();
    await publishAll(channel, queue, e2e);
    const e2eEnd = await waitForResults(
      channel,
      redis,
      queue,
      e2e.map(({ id }) => id),
      phaseTimeout,
    );
    const cpu = cpuSeconds(worker.pid) - cpuBefore;
    result.e2ePerSecond = settings.e2eN / ((e2eEnd - e2eStart) / 1000);
    result.cpuPer1000 = cpu / (settings.e2eN / 1000);

    if (system.roundTrips && settings.rttN > 0) {
      const { latencies, ids } = await roundTrips(
        channel,
        subscriber,
        queue,
        settings.rttN,
        10_000,
      );
      result.latenciesMs = latencies;
      await deleteResults(redis, ids);
    }
  } catch (error) {
    result.error = error.message;
    log(
      `${system.label} round ${round}: ${error.message}\n${worker.output().slice(-2000)}`,
    );
  } finally {
    await worker.stop();
    result.peakRssMb = stopRss();
    await deleteQueue(channel, queue);
    await deleteResults(
      redis,
      [...warmup, ...drain, ...e2e].map(({ id }) => id),
    );
  }
  log(
    `${system.label} round ${round}: e2e ${fmt(result.e2ePerSecond)}/s, drain ${fmt(result.drainPerSecond)}/s, ` +
      `cpu ${result.cpuPer1000?.toFixed(3)} s/1000, rss ${fmt(result.peakRssMb)} MB`,
  );
  return result;
}

const fmt = (value) => (typeof value === 'number' ? value.toFixed(0) : '-');

/** Celery's best pool for this box, by a short drain of each. */
async function pickCeleryPool() {
  const candidates = [
    celerySystem('prefork', cpus().length),
    celerySystem('threads', 8),
  ];
  const saved = { ...settings };
  settings.e2eN = 1000;
  settings.drainN = 1000;
  settings.warmupN = 0;
  settings.rttN = 0;
  const tried = [];
  for (const candidate of candidates) {
    tried.push({ candidate, result: await measure(candidate, 'probe') });
  }
  Object.assign(settings, saved);
  tried.sort(
    (a, b) => (b.result.e2ePerSecond ?? 0) - (a.result.e2ePerSecond ?? 0),
  );
  return {
    best: tried[0].candidate,
    probes: tried.map(({ result }) => result),
  };
}

const started = Date.now();
const systems = [
  celeriacSystem(settings),
  ...(settings.baselineMain
    ? [celeriacSystem(settings, settings.baselineMain)]
    : []),
  rawSystem('setex', settings.rawPrefetch),
  rawSystem('pipelined', settings.rawPrefetch),
].filter(
  (system) =>
    settings.systems.includes(system.name) ||
    system.name === 'celeriac-baseline',
);
let celeryNote = null;
let celeryProbes = [];
if (!tunedPhases) {
  celeryNote = 'tuned phases skipped (BENCH_SEED=only)';
} else if (!settings.systems.includes('celery')) {
  celeryNote = 'Celery not in BENCH_SYSTEMS';
} else if (settings.celery !== 'off' && celeryAvailable()) {
  log('probing Celery pools (prefork, threads)');
  const { best, probes } = await pickCeleryPool();
  celeryProbes = probes;
  systems.push(best);
  log(`Celery pool: ${best.label}`);
} else {
  celeryNote =
    settings.celery === 'off'
      ? 'Celery skipped (BENCH_CELERY=off)'
      : 'Celery skipped: /usr/bin/python3 cannot import celery and redis (apt-get install python3-celery python3-redis)';
  log(celeryNote);
}

const results = [];
for (let round = 0; tunedPhases && round < settings.rounds; round++) {
  // Alternate the order so no system always runs first or last.
  const order = systems.map(
    (_, index) => systems[(index + round) % systems.length],
  );
  for (const system of order) {
    results.push(await measure(system, round));
  }
}

if (tunedPhases) log('publish-only: CeleryClient and POST /v1/tasks');
const publishing =
  settings.publishN <= 0 || !tunedPhases
    ? null
    : await publishOnly({
        channel,
        redis,
        run: RUN,
        count: settings.publishN,
        httpSeconds: settings.httpSeconds,
        port: nextPort++,
        brokerUrl: BROKER_URL,
        redisUrl: REDIS_URL,
      }).catch((error) => ({ error: error.message }));

let bulk = null;
if (settings.bulk.mode !== 'off') {
  log('bulk submit: POST /v1/tasks/batch and BullMQ addBulk');
  bulk = await bulkSubmit({
    channel,
    run: RUN,
    port: nextPort++,
    brokerUrl: BROKER_URL,
    redisUrl: REDIS_URL,
    settings: settings.bulk,
    log,
  }).catch((error) => ({ error: error.message }));
}

let cpu = null;
if (settings.cpu.mode !== 'off') {
  log('CPU phase: fib_task in each pool, and Celery prefork');
  cpu = await cpuPhase({
    channel,
    redis,
    brokerUrl: BROKER_URL,
    run: RUN,
    nextPort: (count) => {
      const port = nextPort;
      nextPort += count;
      return port;
    },
    settings: settings.cpu,
    log,
  }).catch((error) => ({ error: error.message }));
}

const takePorts = (count) => {
  const port = nextPort;
  nextPort += count;
  return port;
};

let canvas = null;
if (settings.canvas.mode !== 'off') {
  log('canvas phase: group, chord and chain, celeriac and Celery prefork');
  canvas = await canvasPhase({
    channel,
    run: RUN,
    brokerUrl: BROKER_URL,
    redisUrl: REDIS_URL,
    nextPort: takePorts,
    settings: settings.canvas,
    log,
  }).catch((error) => ({ error: error.message }));
}

let limits = null;
if (settings.limits.mode !== 'off') {
  log('limits phase: plain, rate-limited and keyed tasks');
  limits = await limitsPhase({
    channel,
    redis,
    run: RUN,
    nextPort: takePorts,
    settings: settings.limits,
    log,
  }).catch((error) => ({ error: error.message }));
}

let seed = null;
if (settings.seed !== 'off') {
  log(
    'seed comparison: celeriac with its defaults beside the FastAPI + Celery replica',
  );
  seed = await seedComparison({
    run: RUN,
    env,
    channel,
    brokerUrl: BROKER_URL,
    workerNodeFlags: START_WORKER_FLAGS,
    nextPort: (count) => {
      const port = nextPort;
      nextPort += count;
      return port;
    },
    log,
  }).catch((error) => ({ error: error.message }));
}

const summary = summarize(results, tunedPhases ? systems : [], publishing);
const report = {
  run: RUN,
  date: new Date().toISOString(),
  durationSeconds: (Date.now() - started) / 1000,
  machine: {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model,
    memoryGb: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    loadAverageAtEnd: loadavg(),
  },
  settings,
  celeryNote,
  celeryProbes,
  summary,
  publishing,
  bulkSubmit: bulk,
  cpuPhase: cpu,
  canvasPhase: canvas,
  limitsPhase: limits,
  seedComparison: seed,
  rounds: results.map(({ latenciesMs, ...rest }) => ({
    ...rest,
    roundTrips: latenciesMs?.length,
  })),
};
const dir = resolve(import.meta.dirname, 'results');
mkdirSync(dir, { recursive: true });
const file = resolve(dir, `${report.date.replace(/[:.]/g, '-')}.json`);
writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
if (tunedPhases) printTable(summary, publishing, report);
printBulk(bulk);
printCpuTable(cpu);
printCanvasTable(canvas);
printLimitsTable(limits);
printSeedTable(seed);
console.log(`\nJSON: ${file} (${report.durationSeconds.toFixed(0)} s)`);

await channel.close().catch(() => undefined);
await connection.close().catch(() => undefined);
redis.disconnect();
subscriber.disconnect();
