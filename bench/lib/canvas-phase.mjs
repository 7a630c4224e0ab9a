// The canvas phase (issue 18): a group of BENCH_CANVAS_N add_task calls, a
// chord of as many with a joining body, and a chain of BENCH_CANVAS_CHAIN
// steps, each timed from the client's call to its final result in Redis:
// celeriac's worker with its TypeScript builders (bench/canvas/canvas-client.mjs)
// beside Python Celery's prefork -c 2 worker with Celery's canvas
// (bench/canvas/canvas_celery.py), on the same RabbitMQ and Redis.
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { celeriacSystem, celeryAvailable, celerySystem } from './systems.mjs';
import { declareQueue, deleteQueue, waitForConsumer } from './workload.mjs';

const ROOT = resolve(import.meta.dirname, '..', '..');
const SHAPES = ['group', 'chord', 'chain'];
const CLIENT_TIMEOUT_MS = 600_000;

/** Settings from the environment (documented in README's Benchmarks). */
export function canvasSettings(env) {
  return {
    mode: env.BENCH_CANVAS ?? 'auto',
    // off: celeriac alone (quick A/B runs of two builds; see BENCH_WORKER_MAIN).
    celery: env.BENCH_CANVAS_CELERY ?? 'auto',
    size: Number(env.BENCH_CANVAS_N ?? 10_000),
    chainLength: Number(env.BENCH_CANVAS_CHAIN ?? 100),
    warmupSize: Number(env.BENCH_CANVAS_WARMUP_N ?? 200),
    // celeriac's defaults but for the log level (a line per task at info).
    worker: {
      concurrency: Number(env.BENCH_CANVAS_CONCURRENCY ?? 2),
      prefetchMultiplier: Number(env.BENCH_CANVAS_PREFETCH_MULTIPLIER ?? 4),
      events: 'true',
      trackStarted: 'true',
      logLevel: 'warn',
    },
    celeryConcurrency: 2,
  };
}

/** Runs a client process to its `CANVAS_RESULT` line. */
function runClient(command, args, env, cwd) {
  return new Promise((done, fail) => {
    const child = spawn(command, args, {
      cwd,
      env: Object.fromEntries(
        Object.entries({ ...process.env, ...env }).filter(
          ([, value]) => value !== undefined,
        ),
      ),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    // The result line whole; of the logs, the tail.
    let stdout = '';
    let output = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk) => {
      output = (output + chunk.toString()).slice(-20_000);
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), CLIENT_TIMEOUT_MS);
    child.once('exit', (code) => {
      clearTimeout(timer);
      const line = stdout
        .split('\n')
        .find((text) => text.startsWith('CANVAS_RESULT '));
      if (code === 0 && line) {
        done(JSON.parse(line.slice('CANVAS_RESULT '.length)));
      } else {
        fail(
          new Error(
            `client exited ${code}:\n${(stdout + output).slice(-3000)}`,
          ),
        );
      }
    });
  });
}

function celeriacSide(settings, queue, urls) {
  return {
    name: 'celeriac',
    queue,
    label: `celeriac c${settings.worker.concurrency}×${settings.worker.prefetchMultiplier}`,
    worker: celeriacSystem({
      ...settings.worker,
      env: { TASK_DEFAULT_QUEUE: queue },
    }),
    client: (workerPid) =>
      runClient(
        process.execPath,
        [
          // e.g. --cpu-prof: the producer's profile.
          ...(process.env.BENCH_CANVAS_CLIENT_NODE_FLAGS?.split(/\s+/).filter(
            Boolean,
          ) ?? []),
          resolve(ROOT, 'bench/canvas/canvas-client.mjs'),
          ...clientArgs(settings),
        ],
        {
          BROKER_URL: urls.broker,
          RESULT_BACKEND_URL: urls.redis,
          TASK_DEFAULT_QUEUE: queue,
          LOG_LEVEL: 'warn',
          BENCH_WORKER_PID: String(workerPid),
        },
        ROOT,
      ),
  };
}

function celerySide(settings, queue, urls) {
  return {
    name: 'celery',
    queue,
    label: `Celery prefork c${settings.celeryConcurrency}`,
    worker: celerySystem('prefork', settings.celeryConcurrency),
    client: (workerPid) =>
      runClient(
        '/usr/bin/python3',
        ['canvas_celery.py', ...clientArgs(settings)],
        {
          BROKER_URL: urls.broker,
          RESULT_BACKEND_URL: urls.redis,
          BENCH_QUEUE: queue,
          BENCH_WORKER_PID: String(workerPid),
          PYTHONDONTWRITEBYTECODE: '1',
          PYTHONPATH: undefined,
          PYTHONHOME: undefined,
        },
        resolve(ROOT, 'bench/canvas'),
      ),
  };
}

const clientArgs = (settings) => [
  String(settings.size),
  String(settings.chainLength),
  String(settings.warmupSize),
  ...SHAPES,
];

async function runSide(side, context, port) {
  const { queue } = side;
  await declareQueue(context.channel, queue);
  const worker = side.worker.start(queue, port);
  try {
    await waitForConsumer(context.channel, queue, 60_000, worker.exited);
    const shapes = await side.client(worker.pid);
    return { system: side.name, label: side.label, shapes };
  } catch (error) {
    context.log(`canvas ${side.label}: ${error.message}`);
    return {
      system: side.name,
      label: side.label,
      error: `${error.message}\n${worker.output().slice(-1500)}`,
    };
  } finally {
    await worker.stop();
    await deleteQueue(context.channel, queue);
  }
}

const ratio = (a, b) =>
  typeof a === 'number' && typeof b === 'number' && b > 0 ? a / b : null;

/**
 * Runs the phase; resolves with its report (the JSON's `canvasPhase`).
 *
 * @param context - { run, channel, brokerUrl, redisUrl, nextPort, settings, log }
 */
export async function canvasPhase(context) {
  const { settings, run } = context;
  const urls = { broker: context.brokerUrl, redis: context.redisUrl };
  const sides = [celeriacSide(settings, `bench-${run}-canvas-celeriac`, urls)];
  const note =
    settings.celery === 'off'
      ? 'Celery skipped: BENCH_CANVAS_CELERY=off'
      : celeryAvailable()
        ? null
        : 'Celery skipped: /usr/bin/python3 cannot import celery and redis';
  if (!note)
    sides.push(celerySide(settings, `bench-${run}-canvas-celery`, urls));
  const bySystem = {};
  for (const side of sides) {
    context.log(`canvas: ${side.label}`);
    bySystem[side.name] = await runSide(side, context, context.nextPort(1));
  }
  const c = bySystem.celeriac?.shapes;
  const p = bySystem.celery?.shapes;
  return {
    note,
    settings,
    bySystem,
    // Above 1: celeriac's wall time is that many times shorter.
    speedup: Object.fromEntries(
      SHAPES.map((shape) => [
        shape,
        ratio(p?.[shape]?.seconds, c?.[shape]?.seconds),
      ]),
    ),
  };
}

const num = (value, digits = 0) =>
  typeof value === 'number' ? value.toFixed(digits) : '-';

function cell(result, shape) {
  const r = result?.shapes?.[shape];
  if (!r) return result?.error ? 'failed' : '-';
  const check = r.ok ? 'ok' : 'WRONG';
  const tasks = shape === 'chain' ? r.steps : r.parts;
  // Worker CPU per task: less sensitive than wall time to a loaded machine.
  const cpu =
    typeof r.workerCpuSeconds === 'number' && tasks > 0
      ? `, worker ${num((r.workerCpuSeconds * 1e6) / tasks)} µs CPU/task`
      : '';
  const submit =
    typeof r.submitSeconds === 'number'
      ? `, submit ${num(r.submitSeconds, 2)} s (${num(r.submitCpuSeconds, 2)} s CPU)`
      : '';
  if (shape === 'chain') {
    return `${num(r.seconds, 2)} s, ${num(r.perStepMs, 2)} ms/step, gap p50 ${num(r.stepGapP50Ms, 2)} ms${cpu} (${check})`;
  }
  return `${num(r.seconds, 2)} s, ${num(r.parts)} parts, ${num(r.lost)} lost${submit}${cpu} (${check})`;
}

/** Prints the phase's table. */
export function printCanvasTable(report) {
  if (!report) return;
  if (report.error) {
    console.log(`\ncanvas phase failed: ${report.error}`);
    return;
  }
  const { settings, bySystem, speedup, note } = report;
  const c = bySystem.celeriac;
  const p = bySystem.celery;
  console.log(
    `\ncanvas phase: wall time from the client's call to the final result; celeriac worker WORKER_CONCURRENCY=${settings.worker.concurrency} ` +
      `(prefetch ×${settings.worker.prefetchMultiplier}, events and STARTED on; its defaults are c2×4) with TaskProducer.applyWorkflow, ` +
      `Celery 5.2 prefork -c ${settings.celeryConcurrency} with apply_async; add_task, chord body celery.accumulate (sum checked)`,
  );
  if (note) console.log(note);
  const rows = [
    ['', p?.label ?? 'Celery', c?.label ?? 'celeriac', 'Celery s / celeriac s'],
    [
      `group of ${settings.size}`,
      cell(p, 'group'),
      cell(c, 'group'),
      times(speedup.group),
    ],
    [
      `chord of ${settings.size}`,
      cell(p, 'chord'),
      cell(c, 'chord'),
      times(speedup.chord),
    ],
    [
      `chain of ${settings.chainLength}`,
      cell(p, 'chain'),
      cell(c, 'chain'),
      times(speedup.chain),
    ],
  ];
  const widths = rows[0].map((_, column) =>
    Math.max(...rows.map((row) => String(row[column]).length)),
  );
  const line = (row) =>
    `| ${row.map((text, column) => String(text).padEnd(widths[column])).join(' | ')} |`;
  console.log(line(rows[0]));
  console.log(line(widths.map((width) => '-'.repeat(width))));
  rows.slice(1).forEach((row) => console.log(line(row)));
  for (const side of [p, c]) {
    if (side?.error)
      console.log(`${side.label} failed: ${side.error.split('\n')[0]}`);
  }
  console.log(
    "ms/step: chain wall / steps; gap p50: median gap between consecutive steps' date_done (celeriac writes ms, Celery µs).",
  );
}

const times = (value) =>
  typeof value === 'number' ? `${value.toFixed(2)}×` : '-';
