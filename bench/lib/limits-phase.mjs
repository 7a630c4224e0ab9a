// The limits phase (issue 20): what a rate limit and a concurrency key cost
// when they do not bite. One celeriac worker runs BENCH_LIMITS_N no-op tasks
// end to end (published and consumed at once) as plain messages, with a rate
// limit far above the rate reached (cluster scope: one budget in Redis) and
// with a concurrency key whose limit is never reached (Redis leases);
// rounds alternate the order; medians.
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { cpuSeconds } from './proc-stats.mjs';
import { celeriacSystem } from './systems.mjs';
import {
  declareQueue,
  deleteQueue,
  deleteResults,
  median,
  publishAll,
  TASK,
  waitForConsumer,
  waitForResults,
} from './workload.mjs';

const require = createRequire(import.meta.url);
const broker = require('../../dist/apps/api/libs/broker/src/index.js');
const tasks = require('../../dist/apps/api/libs/tasks/src/index.js');
const TIMEOUT_MS = 180_000;

/** Settings from the environment (documented in README's Benchmarks). */
export function limitsSettings(env) {
  return {
    mode: env.BENCH_LIMITS ?? 'auto',
    n: Number(env.BENCH_LIMITS_N ?? 5000),
    rounds: Number(env.BENCH_LIMITS_ROUNDS ?? 3),
    rate: env.BENCH_LIMITS_RATE ?? '100000/s',
    keyLimit: Number(env.BENCH_LIMITS_KEY_LIMIT ?? 100_000),
    worker: {
      concurrency: Number(env.BENCH_LIMITS_CONCURRENCY ?? 64),
      prefetchMultiplier: Number(env.BENCH_LIMITS_PREFETCH_MULTIPLIER ?? 1),
      events: 'false',
      trackStarted: 'false',
      logLevel: 'warn',
      env: { RATE_LIMIT_SCOPE: 'cluster' },
    },
  };
}

/** The three kinds of message, as `POST /v1/tasks` would send them. */
function variants(settings, run) {
  return [
    { name: 'plain', label: 'plain', limits: null },
    {
      name: 'rate',
      label: `rate_limit '${settings.rate}' (cluster)`,
      limits: { rateLimit: settings.rate },
    },
    {
      name: 'keyed',
      label: `concurrency key, limit ${settings.keyLimit}`,
      limits: {
        concurrency: { key: `bench-${run}`, limit: settings.keyLimit },
      },
    },
  ];
}

function buildMessages(count, limits) {
  const messages = [];
  for (let index = 0; index < count; index++) {
    const id = randomUUID();
    const message = broker.buildTaskMessage({
      task: TASK,
      id,
      args: [],
      kwargs: {},
      argsForm: 'list',
      priority: 0,
    });
    if (limits) Object.assign(message.headers, tasks.limitHeaders(limits));
    const { content, options } = broker.encodeTaskMessage(message);
    messages.push({ id, content, options });
  }
  return messages;
}

async function endToEnd(context, queue, workerPid, limits) {
  const messages = buildMessages(context.settings.n, limits);
  const ids = messages.map(({ id }) => id);
  const cpuBefore = cpuSeconds(workerPid);
  const started = performance.now();
  try {
    await publishAll(context.channel, queue, messages);
    const ended = await waitForResults(
      context.channel,
      context.redis,
      queue,
      ids,
      TIMEOUT_MS,
    );
    return {
      perSecond: ids.length / ((ended - started) / 1000),
      cpuPer1000: (cpuSeconds(workerPid) - cpuBefore) / (ids.length / 1000),
    };
  } finally {
    await deleteResults(context.redis, ids);
  }
}

const ratio = (a, b) =>
  typeof a === 'number' && typeof b === 'number' && b > 0 ? a / b : null;

/**
 * Runs the phase; resolves with its report (the JSON's `limitsPhase`).
 *
 * @param context - { run, channel, redis, nextPort, settings, log }
 */
export async function limitsPhase(context) {
  const { settings, run, channel, log } = context;
  const queue = `bench-${run}-limits`;
  const kinds = variants(settings, run);
  const system = celeriacSystem(settings.worker);
  await declareQueue(channel, queue);
  const worker = system.start(queue, context.nextPort(1));
  const rows = [];
  try {
    await waitForConsumer(channel, queue, 60_000, worker.exited);
    // Untimed: V8's JIT, the Lua scripts loaded, the first leases.
    for (const kind of kinds) {
      await endToEnd(context, queue, worker.pid, kind.limits);
    }
    for (let round = 0; round < settings.rounds; round++) {
      const order = kinds.map((_, i) => kinds[(i + round) % kinds.length]);
      for (const kind of order) {
        const row = { variant: kind.name, round };
        try {
          Object.assign(
            row,
            await endToEnd(context, queue, worker.pid, kind.limits),
          );
        } catch (error) {
          row.error = error.message;
        }
        log(
          `limits ${kind.name} round ${round}: ${row.perSecond?.toFixed(0) ?? row.error}/s`,
        );
        rows.push(row);
      }
    }
  } catch (error) {
    throw new Error(`${error.message}\n${worker.output().slice(-1500)}`);
  } finally {
    await worker.stop();
    await deleteQueue(channel, queue);
  }
  const byVariant = Object.fromEntries(
    kinds.map((kind) => {
      const ok = rows.filter((row) => row.variant === kind.name && !row.error);
      return [
        kind.name,
        {
          label: kind.label,
          rounds: ok.length,
          failedRounds:
            rows.filter((row) => row.variant === kind.name).length - ok.length,
          perSecond: median(ok.map((row) => row.perSecond)),
          cpuPer1000: median(ok.map((row) => row.cpuPer1000)),
        },
      ];
    }),
  );
  const plain = byVariant.plain;
  for (const value of Object.values(byVariant)) {
    value.vsPlain = ratio(value.perSecond, plain.perSecond);
    value.cpuVsPlain = ratio(value.cpuPer1000, plain.cpuPer1000);
  }
  return { settings, byVariant, rounds: rows };
}

const num = (value, digits = 0) =>
  typeof value === 'number' ? value.toFixed(digits) : '-';
const times = (value) =>
  typeof value === 'number' ? `${value.toFixed(2)}×` : '-';

/** Prints the phase's table. */
export function printLimitsTable(report) {
  if (!report) return;
  if (report.error) {
    console.log(`\nlimits phase failed: ${report.error}`);
    return;
  }
  const { settings, byVariant } = report;
  const w = settings.worker;
  console.log(
    `\nlimits phase: ${settings.n} celery.accumulate tasks end to end on one celeriac worker ` +
      `(c${w.concurrency}×${w.prefetchMultiplier}, RATE_LIMIT_SCOPE=cluster), ${settings.rounds} alternating rounds, medians`,
  );
  const rows = [
    [
      'task',
      'tasks/s',
      'vs plain',
      'CPU-s / 1000',
      'CPU vs plain',
      'rounds ok',
    ],
    ...Object.values(byVariant).map((v) => [
      v.label,
      num(v.perSecond),
      times(v.vsPlain),
      num(v.cpuPer1000, 3),
      times(v.cpuVsPlain),
      `${v.rounds}/${v.rounds + v.failedRounds}`,
    ]),
  ];
  const widths = rows[0].map((_, column) =>
    Math.max(...rows.map((row) => String(row[column]).length)),
  );
  const line = (row) =>
    `| ${row.map((text, column) => String(text).padEnd(widths[column])).join(' | ')} |`;
  console.log(line(rows[0]));
  console.log(line(widths.map((width) => '-'.repeat(width))));
  rows.slice(1).forEach((row) => console.log(line(row)));
  const failures = new Set(
    report.rounds
      .filter((row) => row.error)
      .map((row) => `${row.variant}: ${row.error}`),
  );
  failures.forEach((failure) => console.log(`failed round: ${failure}`));
}
