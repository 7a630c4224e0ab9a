// Bulk submit: POST /v1/tasks/batch (1000 tasks a request, a few requests
// in flight) beside BullMQ's Queue.addBulk (1000 jobs a call, as many calls
// in flight) on the same Redis, and beside the broker's raw ceiling (one
// amqplib ConfirmChannel publishing the same pre-built message, see
// raw-publish.mjs), rounds alternating. Nothing consumes: the queues are
// deleted (RabbitMQ) or obliterated (BullMQ) afterwards.
import { Queue } from 'bullmq';
import { startApi } from './api-process.mjs';
import { cpuSeconds } from './proc-stats.mjs';
import { deleteQueue, median, TASK } from './workload.mjs';
import {
  declareRawQueue,
  deleteRawQueue,
  rawMessage,
  rawPublishRate,
} from './raw-publish.mjs';

/** Settings from BENCH_BULK_* (see bench/run.mjs). */
export function bulkSettings(env) {
  return {
    mode: env.BENCH_BULK ?? 'auto',
    rounds: Number(env.BENCH_BULK_ROUNDS ?? 3),
    // Batches per round, across all lanes.
    batches: Number(env.BENCH_BULK_BATCHES ?? 12),
    size: Number(env.BENCH_BULK_SIZE ?? 1000),
    lanes: Number(env.BENCH_BULK_CONNECTIONS ?? 3),
    // BullMQ's side can be skipped when comparing two api builds.
    bullmq: env.BENCH_BULK_BULLMQ !== 'off',
    // The raw publisher's rows: unconfirmed messages at most, one row each
    // ('off': none).
    rawInFlight:
      env.BENCH_BULK_RAW === 'off'
        ? []
        : (env.BENCH_BULK_RAW ?? '64,512,3000').split(',').map(Number),
    // Another api build (inside the repository) and its node flags, e.g.
    // BENCH_BULK_API_FLAGS='--cpu-prof --cpu-prof-dir=/tmp/prof'.
    apiMain: env.BENCH_API_MAIN,
    apiNodeArgs: (env.BENCH_BULK_API_FLAGS ?? '').split(' ').filter(Boolean),
  };
}

/** `lanes` callers sharing `batches` calls of `send`; tasks per second. */
async function rate({ batches, size, lanes }, send) {
  let next = 0;
  const start = performance.now();
  const lane = async () => {
    while (next < batches) {
      next++;
      await send();
    }
  };
  await Promise.all(Array.from({ length: lanes }, lane));
  return (batches * size) / ((performance.now() - start) / 1000);
}

export async function bulkSubmit({
  channel,
  run,
  port,
  brokerUrl,
  redisUrl,
  settings,
  log,
}) {
  const queue = `bench-${run}-bulk`;
  const api = await startApi({
    brokerUrl,
    redisUrl,
    port,
    env: { TASK_DEFAULT_QUEUE: queue },
    ...(settings.apiMain ? { main: settings.apiMain } : {}),
    nodeArgs: settings.apiNodeArgs,
  });
  const redis = new URL(redisUrl);
  const bull = new Queue(`bench-${run}-bulk`, {
    connection: {
      host: redis.hostname,
      port: Number(redis.port || 6379),
      db: Number(redis.pathname.slice(1) || 0),
    },
  });
  const body = JSON.stringify({
    tasks: Array.from({ length: settings.size }, (_, i) => ({
      task: TASK,
      args: [i],
    })),
  });
  const jobs = Array.from({ length: settings.size }, (_, i) => ({
    name: TASK,
    data: { args: [i] },
  }));
  const postBatch = async () => {
    const response = await fetch(`${api.url}/v1/tasks/batch`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    const text = await response.text();
    if (response.status !== 202) {
      throw new Error(
        `batch answered ${response.status}: ${text.slice(0, 300)}`,
      );
    }
  };
  const addBulk = () => bull.addBulk(jobs);
  const rawQueue = `bench-${run}-raw`;
  const raw = rawMessage();
  const rawRates = Object.fromEntries(
    settings.rawInFlight.map((inFlight) => [inFlight, []]),
  );
  const rawRound = async (inFlight, count) =>
    rawPublishRate(channel, rawQueue, raw, count, inFlight);
  // The api's CPU time per 1000 tasks accepted: less sensitive than the
  // rate to what else runs on the machine.
  const apiCpu = async () => {
    const before = cpuSeconds(api.pid);
    const tasksPerSecond = await rate(settings, postBatch);
    const cpuMs = (cpuSeconds(api.pid) - before) * 1000;
    apiCpuMsPer1000.push(cpuMs / ((settings.batches * settings.size) / 1000));
    return tasksPerSecond;
  };
  const celeriac = [];
  const bullmq = [];
  const apiCpuMsPer1000 = [];
  try {
    // Warm both (JIT, connections, the queue's declaration) untimed.
    await rate({ ...settings, batches: settings.lanes }, postBatch);
    if (settings.bullmq) {
      await rate({ ...settings, batches: settings.lanes }, addBulk);
    }
    if (settings.rawInFlight.length > 0) {
      await declareRawQueue(channel, rawQueue);
      await rawRound(settings.rawInFlight[0], settings.size);
    }
    const count = settings.batches * settings.size;
    for (let round = 0; round < settings.rounds; round++) {
      // Rotate which goes first, so load from elsewhere hits all alike.
      const measures = [
        async () => celeriac.push(await apiCpu()),
        async () =>
          settings.bullmq && bullmq.push(await rate(settings, addBulk)),
        ...settings.rawInFlight.map(
          (inFlight) => async () =>
            rawRates[inFlight].push(await rawRound(inFlight, count)),
        ),
      ];
      const shift = round % measures.length;
      for (const measure of [
        ...measures.slice(shift),
        ...measures.slice(0, shift),
      ]) {
        await measure();
      }
      const rawLine = settings.rawInFlight
        .map((n) => `raw(${n}) ${rawRates[n].at(-1).toFixed(0)}`)
        .join(', ');
      log(
        `bulk round ${round}: POST /v1/tasks/batch ${celeriac.at(-1).toFixed(0)} tasks/s ` +
          `(api ${apiCpuMsPer1000.at(-1).toFixed(0)} CPU-ms per 1000), ` +
          `BullMQ addBulk ${bullmq.at(-1)?.toFixed(0) ?? '-'} jobs/s` +
          (rawLine ? `, ${rawLine} msgs/s` : ''),
      );
    }
  } finally {
    await api.stop();
    await bull.obliterate({ force: true }).catch(() => undefined);
    await bull.close();
    await deleteQueue(channel, queue);
    await deleteRawQueue(channel, rawQueue);
  }
  const celeriacMedian = median(celeriac);
  const bullmqMedian = bullmq.length > 0 ? median(bullmq) : NaN;
  return {
    batchSize: settings.size,
    connections: settings.lanes,
    batchesPerRound: settings.batches,
    celeriacTasksPerSecond: celeriacMedian,
    apiCpuMsPer1000Tasks: median(apiCpuMsPer1000),
    bullmqJobsPerSecond: bullmqMedian,
    ratio: celeriacMedian / bullmqMedian,
    // Raw ConfirmChannel ceiling: unconfirmed at most → median msgs/s.
    rawPublishPerSecond: Object.fromEntries(
      settings.rawInFlight.map((n) => [n, median(rawRates[n])]),
    ),
    rawMessageBytes: raw.content.length,
    rounds: { celeriac, apiCpuMsPer1000, bullmq, raw: rawRates },
  };
}

/** Prints the bulk phase's line, or why it did not run. */
export function printBulk(bulk) {
  if (!bulk) {
    return;
  }
  if (bulk.error) {
    console.log(`\nbulk submit failed: ${bulk.error}`);
    return;
  }
  const n = (value) => value.toFixed(0);
  const celeriac =
    `POST /v1/tasks/batch ${n(bulk.celeriacTasksPerSecond)} tasks/s ` +
    `(api ${n(bulk.apiCpuMsPer1000Tasks)} CPU-ms per 1000 tasks)`;
  const goal20k = `>= 20000 tasks/s ${bulk.celeriacTasksPerSecond >= 20_000 ? 'met' : 'not met'}`;
  // BENCH_BULK_BULLMQ=off: no BullMQ figure, no ratio.
  const bullmq = Number.isNaN(bulk.bullmqJobsPerSecond)
    ? `; BullMQ not measured (goal: ${goal20k})`
    : `; BullMQ addBulk ${n(bulk.bullmqJobsPerSecond)} jobs/s; ratio ${bulk.ratio.toFixed(2)}x ` +
      `(goals: ${goal20k}, >= BullMQ ${bulk.ratio >= 1 ? 'met' : 'not met'})`;
  console.log(
    `\nbulk submit (${bulk.batchSize} a call, ${bulk.connections} in flight, medians of ${bulk.rounds.celeriac.length}): ` +
      celeriac +
      bullmq,
  );
  const raw = Object.entries(bulk.rawPublishPerSecond ?? {});
  if (raw.length > 0) {
    console.log(
      `raw ceiling (one amqplib ConfirmChannel, the same message pre-built, ${bulk.rawMessageBytes}-byte body, durable classic queue): ` +
        raw
          .map(([inFlight, r]) => `${inFlight} in flight ${n(r)} msgs/s`)
          .join(', '),
    );
  }
}
