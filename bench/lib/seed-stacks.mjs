// The two stacks of the seed comparison, each an HTTP front door and a worker
// on a queue of its own: celeriac's built api and worker with their defaults,
// and the seed's FastAPI + Celery replica (bench/seed/) on Debian's Python.
import { spawn, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { waitForApiProcesses, wantedApiProcesses } from './api-process.mjs';

const ROOT = resolve(import.meta.dirname, '..', '..');
const PYTHON = '/usr/bin/python3';
const SEED_DIR = resolve(ROOT, 'bench/seed');
const API_MAIN = resolve(ROOT, 'dist/apps/api/apps/api/src/main.js');
const WORKER_MAIN = resolve(ROOT, 'dist/apps/worker/apps/worker/src/main.js');

// Python module → the Debian package that provides it.
const SEED_MODULES = {
  fastapi: 'python3-fastapi',
  uvicorn: 'python3-uvicorn',
  uvloop: 'python3-uvloop',
  httptools: 'python3-httptools',
  celery: 'python3-celery',
  redis: 'python3-redis',
};

/** Null when the replica can run, else a sentence naming what is missing. */
export function seedReplicaMissing() {
  const missing = Object.keys(SEED_MODULES).filter(
    (module) =>
      spawnSync(PYTHON, ['-c', `import ${module}`], { stdio: 'ignore' })
        .status !== 0,
  );
  if (missing.length === 0) return null;
  const packages = missing.map((module) => SEED_MODULES[module]).join(' ');
  return `seed replica skipped: ${PYTHON} cannot import ${missing.join(', ')} (apt-get install ${packages})`;
}

// celeriac's settings come from the environment: the caller's own must not
// tune the "defaults" stack, so every celeriac variable is dropped first.
const CELERIAC_SETTING =
  /^(API_|WORKER_|TASK_|BEAT_|MONITOR_|RESULT_EXPIRES$|LOG_LEVEL$)/;

function baseEnvironment() {
  return Object.fromEntries(
    Object.entries(process.env).filter(
      ([name, value]) => value !== undefined && !CELERIAC_SETTING.test(name),
    ),
  );
}

function startProcess(command, args, env, cwd = ROOT) {
  const child = spawn(command, args, {
    cwd,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  // Both stacks log a line per request or task at their default level; the
  // lines are read (as a terminal or a log shipper would) and only the tail kept.
  const keep = (chunk) => {
    output = (output + chunk.toString()).slice(-8000);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exit = new Promise((done) => child.once('exit', done));
  return {
    pid: child.pid,
    output: () => output,
    exited: () => child.exitCode !== null || child.signalCode !== null,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exit;
      clearTimeout(timer);
    },
  };
}

async function waitUntilUp(url, processes, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const up = await fetch(url).then(
      (response) => response.ok,
      () => false,
    );
    if (up) return;
    const dead = processes.find((process) => process.exited());
    if (dead || Date.now() > deadline) {
      throw new Error(
        `${url} did not come up${dead ? ' (a process exited)' : ''}:\n${processes.map((process) => process.output()).join('\n')}`,
      );
    }
    await sleep(200);
  }
}

/**
 * celeriac's api and worker as `npm run start:api` / `start:worker` start
 * them, with nothing set but where things are (broker, Redis, ports, its
 * own queue and node name) and the seed's TASK_TIME_SCALE=0. `overrides`
 * (BENCH_SEED_ENV) is the only way to change a setting, and the report shows it.
 */
export async function startCeleriacStack({
  brokerUrl,
  redisUrl,
  queue,
  port,
  workerNodeFlags,
  overrides,
}) {
  const env = {
    ...baseEnvironment(),
    BROKER_URL: brokerUrl,
    RESULT_BACKEND_URL: redisUrl,
    TASK_DEFAULT_QUEUE: queue,
    WORKER_QUEUES: queue,
    WORKER_HOSTNAME: `${queue}@bench`,
    TASK_TIME_SCALE: '0',
    ...overrides,
  };
  const api = startProcess(process.execPath, [API_MAIN], {
    ...env,
    API_PORT: String(port),
  });
  const worker = startProcess(
    process.execPath,
    [...workerNodeFlags, WORKER_MAIN],
    { ...env, WORKER_HEALTH_PORT: String(port + 1) },
  );
  const stack = {
    name: 'celeriac',
    url: `http://127.0.0.1:${port}`,
    queue,
    api,
    worker,
    settings: { ...overrides },
    stop: () => Promise.all([api.stop(), worker.stop()]),
  };
  try {
    await waitUntilUp(`${stack.url}/health/ready`, [api, worker]);
    // API_PROCESSES over 1 (BENCH_SEED_ENV): the workers booting after the
    // first one would spend CPU in the first phase.
    await waitForApiProcesses(stack.url, wantedApiProcesses(env));
    await waitUntilUp(`http://127.0.0.1:${port + 1}/health/ready`, [
      api,
      worker,
    ]);
  } catch (error) {
    await stack.stop();
    throw error;
  }
  return stack;
}

/**
 * The seed replica: uvicorn (uvloop, httptools, one process, its default
 * log level) serving bench/seed/seed_api.py, and a Celery prefork worker
 * with concurrency 2 on the run's queue at the seed's --loglevel=info.
 */
export async function startSeedStack({ brokerUrl, redisUrl, queue, port }) {
  const env = {
    ...baseEnvironment(),
    BROKER_URL: brokerUrl,
    RESULT_BACKEND_URL: redisUrl,
    SEED_QUEUE: queue,
    TASK_TIME_SCALE: '0',
    PYTHONDONTWRITEBYTECODE: '1',
  };
  delete env.PYTHONPATH;
  delete env.PYTHONHOME;
  const api = startProcess(
    PYTHON,
    [
      '-m',
      'uvicorn',
      'seed_api:app',
      '--host',
      '127.0.0.1',
      '--port',
      String(port),
      '--loop',
      'uvloop',
      '--http',
      'httptools',
    ],
    env,
    SEED_DIR,
  );
  const worker = startProcess(
    PYTHON,
    [
      '-m',
      'celery',
      '-A',
      'seed_celery.celery_app',
      'worker',
      '-Q',
      queue,
      '-P',
      'prefork',
      '-c',
      '2',
      '--loglevel=info',
      '-n',
      `${queue}@%h`,
    ],
    env,
    SEED_DIR,
  );
  const stack = {
    name: 'seed',
    url: `http://127.0.0.1:${port}`,
    queue,
    api,
    worker,
    settings: {},
    stop: () => Promise.all([api.stop(), worker.stop()]),
  };
  try {
    await waitUntilUp(`${stack.url}/`, [api, worker]);
  } catch (error) {
    await stack.stop();
    throw error;
  }
  return stack;
}

/** A unique queue name for one stack of one run. */
export const stackQueue = (run, name) =>
  `bench-${run}-seedcmp-${name}-${randomUUID().slice(0, 4)}`;
