// The seed comparison phase: celeriac as users run it (its defaults) beside
// a FastAPI + Celery replica of the seed, on the same RabbitMQ and Redis,
// alternating round by round; medians of the rounds.
import { Redis } from 'ioredis';
import { endToEnd, frontDoor, latency } from './seed-phases.mjs';
import {
  seedReplicaMissing,
  stackQueue,
  startCeleriacStack,
  startSeedStack,
} from './seed-stacks.mjs';
import {
  declareQueue,
  median,
  percentile,
  waitForConsumer,
} from './workload.mjs';

const WARMUP_TASKS = 200;

/** Settings from the environment (documented in README's Benchmarks). */
export function seedSettings(env) {
  return {
    rounds: Number(env.BENCH_SEED_ROUNDS ?? 3),
    e2eN: Number(env.BENCH_SEED_E2E_N ?? 2000),
    latencyN: Number(env.BENCH_SEED_LATENCY_N ?? 200),
    httpSeconds: Number(env.BENCH_HTTP_SECONDS ?? 5),
    // Its own Redis db: the api's PENDING keys of the load runs go with it.
    redisUrl: env.BENCH_SEED_REDIS_URL ?? 'redis://127.0.0.1:6379/13',
    // The only way to change a celeriac setting in this phase; reported.
    overrides: JSON.parse(env.BENCH_SEED_ENV ?? '{}'),
  };
}

async function roundOf(stack, context, round) {
  const { settings, channel, redis, log } = context;
  const row = { stack: stack.name, round };
  try {
    row.endToEnd = await endToEnd(stack, redis, settings.e2eN);
    Object.assign(
      row,
      await frontDoor(stack, channel, {
        seconds: settings.httpSeconds,
        doneTaskId: row.endToEnd.doneTaskId,
      }),
    );
    row.latency = await latency(stack, settings.latencyN);
  } catch (error) {
    row.error = error.message;
    log(`${stack.name} round ${round}: ${error.message}`);
  }
  log(
    `${stack.name} round ${round}: end to end ${row.endToEnd?.seconds?.toFixed(2)} s, ` +
      `/solo/add ${row.solo?.perSecond?.toFixed(0)}/s, /result ${row.result?.perSecond?.toFixed(0)}/s, ` +
      `latency p50 ${row.latency?.p50Ms?.toFixed(2)} ms`,
  );
  return row;
}

function summarizeStack(rows) {
  const ok = rows.filter((row) => !row.error);
  const pick = (path) => median(ok.map(path));
  const loadOf = (key) =>
    ok.some((row) => row[key])
      ? {
          perSecond: pick((row) => row[key]?.perSecond),
          p50Ms: pick((row) => row[key]?.p50Ms),
          p99Ms: pick((row) => row[key]?.p99Ms),
          non2xx: ok.reduce((sum, row) => sum + (row[key]?.non2xx ?? 0), 0),
        }
      : null;
  const latencies = ok.flatMap((row) => row.latency?.latenciesMs ?? []);
  return {
    rounds: ok.length,
    failedRounds: rows.length - ok.length,
    endToEnd: {
      seconds: pick((row) => row.endToEnd?.seconds),
      perSecond: pick((row) => row.endToEnd?.perSecond),
    },
    solo: loadOf('solo'),
    submit: loadOf('submit'),
    result: loadOf('result'),
    latency: {
      count: latencies.length,
      p50Ms: percentile(latencies, 50),
      p99Ms: percentile(latencies, 99),
    },
  };
}

const ratio = (a, b) =>
  typeof a === 'number' && typeof b === 'number' && b > 0 ? a / b : null;

/**
 * Runs the phase; resolves with its report (the JSON's `seedComparison`).
 *
 * @param context - { run, env, channel, nextPort, workerNodeFlags, brokerUrl, log }
 */
export async function seedComparison(context) {
  const settings = seedSettings(context.env);
  const note = seedReplicaMissing();
  const redis = new Redis(settings.redisUrl);
  const emptyAtStart = (await redis.dbsize()) === 0;
  const stacks = [];
  const rows = [];
  const log = context.log;
  const queues = {
    celeriac: stackQueue(context.run, 'celeriac'),
    seed: stackQueue(context.run, 'seed'),
  };
  try {
    // Declared first, as both declare them (Celery's topology), so the
    // consumer checks below never meet a missing queue.
    await declareQueue(context.channel, queues.celeriac);
    await declareQueue(context.channel, queues.seed);
    stacks.push(
      await startCeleriacStack({
        brokerUrl: context.brokerUrl,
        redisUrl: settings.redisUrl,
        queue: queues.celeriac,
        port: context.nextPort(2),
        workerNodeFlags: context.workerNodeFlags,
        overrides: settings.overrides,
      }),
    );
    if (note) {
      log(note);
    } else {
      stacks.push(
        await startSeedStack({
          brokerUrl: context.brokerUrl,
          redisUrl: settings.redisUrl,
          queue: queues.seed,
          port: context.nextPort(1),
        }),
      );
    }
    const phaseContext = { settings, channel: context.channel, redis, log };
    for (const stack of stacks) {
      await waitForConsumer(context.channel, stack.queue, 60_000, () =>
        stack.worker.exited(),
      );
      // Untimed: V8's JIT, Python's imports and pool, the first connections.
      await endToEnd(stack, redis, WARMUP_TASKS);
    }
    for (let round = 0; round < settings.rounds; round++) {
      const order = round % 2 === 0 ? stacks : [...stacks].reverse();
      for (const stack of order) {
        rows.push(await roundOf(stack, phaseContext, round));
      }
    }
  } finally {
    await Promise.all(stacks.map((stack) => stack.stop()));
    for (const queue of Object.values(queues)) {
      await context.channel.deleteQueue(queue).catch(() => undefined);
      await context.channel.deleteExchange(queue).catch(() => undefined);
    }
    if (emptyAtStart) {
      await redis.flushdb();
    } else {
      log(`${settings.redisUrl} was not empty, so its keys were left there`);
    }
    redis.disconnect();
  }
  const bySystem = Object.fromEntries(
    stacks.map((stack) => [
      stack.name,
      summarizeStack(rows.filter((row) => row.stack === stack.name)),
    ]),
  );
  const c = bySystem.celeriac;
  const s = bySystem.seed;
  return {
    note,
    settings: { ...settings, celeriacSettings: settings.overrides },
    bySystem,
    ratios: {
      endToEnd: ratio(c?.endToEnd.perSecond, s?.endToEnd.perSecond),
      solo: ratio(c?.solo?.perSecond, s?.solo?.perSecond),
      result: ratio(c?.result?.perSecond, s?.result?.perSecond),
      // Lower is better: how many times faster celeriac's is.
      latencyP50: ratio(s?.latency.p50Ms, c?.latency.p50Ms),
      latencyP99: ratio(s?.latency.p99Ms, c?.latency.p99Ms),
    },
    rounds: rows.map(({ latency: l, endToEnd: e, ...rest }) => ({
      ...rest,
      endToEnd: e && { seconds: e.seconds, perSecond: e.perSecond },
      latency: l && { count: l.count, p50Ms: l.p50Ms, p99Ms: l.p99Ms },
    })),
  };
}
