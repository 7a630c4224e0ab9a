// The workers under test, each started as its own process on one queue.
import { spawn, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..', '..');
// BENCH_WORKER_MAIN runs another build of the worker (a copy of dist/ kept
// inside the repository, so it finds node_modules) to compare two builds.
const WORKER_MAIN = resolve(
  ROOT,
  process.env.BENCH_WORKER_MAIN ?? 'dist/apps/worker/apps/worker/src/main.js',
);
// Node's flags of `npm run start:worker` (a larger young generation): the
// worker runs as deployed, and the raw consumers get the same flags.
const NODE_FLAGS = JSON.parse(
  readFileSync(resolve(ROOT, 'package.json'), 'utf8'),
)
  .scripts['start:worker'].split(/\s+/)
  .filter((word) => word.startsWith('--'));
/** `npm run start:worker`'s Node flags, for a worker started as users start it. */
export const START_WORKER_FLAGS = NODE_FLAGS;
// BENCH_WORKER_NODE_FLAGS tries other V8 flags on the celeriac worker only.
const WORKER_NODE_FLAGS =
  process.env.BENCH_WORKER_NODE_FLAGS?.split(/\s+/).filter(Boolean) ??
  NODE_FLAGS;
const PYTHON = '/usr/bin/python3';

export function celeryAvailable() {
  return (
    spawnSync(PYTHON, ['-c', 'import celery, redis'], { stdio: 'ignore' })
      .status === 0
  );
}

function start(command, args, env, cwd = ROOT) {
  const child = spawn(command, args, {
    cwd,
    env: Object.fromEntries(
      Object.entries({ ...process.env, ...env }).filter(
        ([, value]) => value !== undefined,
      ),
    ),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk) => {
    output = (output + chunk.toString()).slice(-20_000);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  let exited = false;
  const exit = new Promise((done) =>
    child.once('exit', () => {
      exited = true;
      done();
    }),
  );
  return {
    pid: child.pid,
    exited: () => exited,
    output: () => output,
    async stop() {
      if (exited) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exit;
      clearTimeout(timer);
    },
  };
}

/**
 * The celeriac worker as built, started as `npm run start:worker` does; with
 * `baselineMain`, another build of it (a copy of dist/ inside the repository)
 * that runs in the same rounds, so two builds compare under the same load.
 */
export function celeriacSystem(settings, baselineMain) {
  const main = baselineMain ? resolve(ROOT, baselineMain) : WORKER_MAIN;
  return {
    name: baselineMain ? 'celeriac-baseline' : 'celeriac',
    label: baselineMain
      ? `baseline build c${settings.concurrency}×${settings.prefetchMultiplier}`
      : `celeriac ${settings.pool ? `${settings.pool} ` : ''}c${settings.concurrency}×${settings.prefetchMultiplier}`,
    roundTrips: true,
    start: (queue, healthPort) =>
      start(process.execPath, [...WORKER_NODE_FLAGS, main], {
        WORKER_QUEUES: queue,
        WORKER_CONCURRENCY: String(settings.concurrency),
        WORKER_PREFETCH_MULTIPLIER: String(settings.prefetchMultiplier),
        WORKER_HOSTNAME: `bench-${randomUUID().slice(0, 8)}@bench`,
        WORKER_HEALTH_PORT: String(healthPort),
        WORKER_SEND_EVENTS: String(settings.events),
        TASK_TRACK_STARTED: String(settings.trackStarted),
        LOG_LEVEL: settings.logLevel,
        TASK_TIME_SCALE: '0',
        ...(settings.pool ? { WORKER_POOL: settings.pool } : {}),
        ...settings.env,
      }),
  };
}

/** The raw amqplib + Redis consumer (bench/raw-consumer.mjs). */
export function rawSystem(mode, prefetch) {
  return {
    name: `raw-${mode}`,
    label: mode === 'setex' ? 'raw SETEX+PUBLISH' : 'raw pipelined SET',
    roundTrips: mode === 'setex',
    start: (queue) =>
      start(process.execPath, [
        ...NODE_FLAGS,
        resolve(ROOT, 'bench/raw-consumer.mjs'),
        '--queue',
        queue,
        '--mode',
        mode,
        '--prefetch',
        String(prefetch),
      ]),
  };
}

/** Python Celery 5 (Debian's), with the given pool and concurrency. */
export function celerySystem(pool, concurrency) {
  return {
    name: 'celery',
    label: `Celery ${pool} c${concurrency}`,
    pool,
    concurrency,
    roundTrips: true,
    start: (queue) =>
      start(
        PYTHON,
        [
          '-m',
          'celery',
          '-A',
          'celery_app',
          'worker',
          '-Q',
          queue,
          '-P',
          pool,
          '-c',
          String(concurrency),
          '-l',
          'WARNING',
          '-n',
          `bench-${randomUUID().slice(0, 8)}@%h`,
          '--without-gossip',
          '--without-mingle',
          '--without-heartbeat',
        ],
        {
          PYTHONDONTWRITEBYTECODE: '1',
          PYTHONPATH: undefined,
          PYTHONHOME: undefined,
        },
        resolve(ROOT, 'bench'),
      ),
  };
}
