// The measurements of the seed comparison, the same for both stacks: what a
// user of the seed does (GET /solo/add, then read the result), end to end,
// under load, and one task at a time.
import http from 'node:http';
import { createRequire } from 'node:module';
import { setTimeout as sleep } from 'node:timers/promises';
import { continueTree, stopTree } from './proc-stats.mjs';
import { percentile } from './workload.mjs';

const require = createRequire(import.meta.url);
const autocannon = require('autocannon');

const LANES = 16;
const TIMEOUT_MS = 120_000;

function getJson(agent, url) {
  return new Promise((resolve, reject) => {
    const request = http.get(url, { agent }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk) => (body += chunk));
      response.on('end', () => {
        let json = null;
        try {
          json = JSON.parse(body);
        } catch {
          // reported below with the status
        }
        resolve({ status: response.statusCode, json, body });
      });
    });
    request.on('error', reject);
  });
}

async function solo(agent, stack) {
  const { status, json, body } = await getJson(agent, `${stack.url}/solo/add`);
  if (status !== 200 || typeof json?.task_id !== 'string') {
    throw new Error(
      `${stack.name}: GET /solo/add answered ${status}: ${body.slice(0, 200)}` +
        (status === 429
          ? ' (its rate limit is on: API_RATE_LIMIT; BENCH_SEED_ENV can set it, and the report shows that)'
          : ''),
    );
  }
  return json.task_id;
}

/** Resolves when every id's result in Redis is SUCCESS; throws on a FAILURE. */
async function allSucceeded(redis, ids, timeoutMs = TIMEOUT_MS) {
  const deadline = Date.now() + timeoutMs;
  let pending = ids.map((id) => `celery-task-meta-${id}`);
  while (pending.length > 0) {
    const found = await redis.mget(pending);
    const failed = found.find((raw) => raw?.includes('"FAILURE"'));
    if (failed) throw new Error(`a task failed: ${failed.slice(0, 300)}`);
    pending = pending.filter(
      (_, index) => !found[index]?.includes('"SUCCESS"'),
    );
    if (pending.length === 0) break;
    if (Date.now() > deadline) {
      throw new Error(`${pending.length} of ${ids.length} results missing`);
    }
    await sleep(5);
  }
  return performance.now();
}

/** (a) `count` × GET /solo/add on 16 connections, until every task is SUCCESS. */
export async function endToEnd(stack, redis, count) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: LANES });
  const ids = [];
  try {
    const start = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: LANES }, async () => {
        while (next < count) {
          next += 1;
          ids.push(await solo(agent, stack));
        }
      }),
    );
    const submitted = performance.now();
    const end = await allSucceeded(redis, ids);
    const seconds = (end - start) / 1000;
    return {
      seconds,
      perSecond: count / seconds,
      submitSeconds: (submitted - start) / 1000,
      doneTaskId: ids[0],
    };
  } finally {
    agent.destroy();
  }
}

/** An autocannon run: warm-up (1 s, c8), then `seconds` at c16. */
async function load(url, options, seconds) {
  await autocannon({ url, ...options, connections: 8, duration: 1 });
  const result = await autocannon({
    url,
    ...options,
    connections: 16,
    duration: seconds,
  });
  return {
    perSecond: result.requests.average,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    total: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors,
  };
}

/**
 * (b)-(d): the front door alone. For each run the worker is paused (SIGSTOP
 * on its process tree, a few seconds: well within the AMQP heartbeat), so it
 * does not share the two cores with the api, and what the run published is
 * purged before it resumes.
 */
export async function frontDoor(stack, channel, { seconds, doneTaskId }) {
  const paused = async (url, options = {}) => {
    const stopped = stopTree(stack.worker.pid);
    try {
      return await load(url, options, seconds);
    } finally {
      await channel.purgeQueue(stack.queue).catch(() => undefined);
      continueTree(stopped);
    }
  };
  const solo = await paused(`${stack.url}/solo/add`);
  const submit =
    stack.name === 'celeriac'
      ? await paused(`${stack.url}/v1/tasks`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ task: 'add_task', args: [1, 2] }),
        })
      : null;
  const result = await paused(`${stack.url}/result/${doneTaskId}`);
  return { solo, submit, result };
}

// How a waiting client learns the task is done: celeriac holds the request
// (`?wait=`) until the result is published; the seed has no such endpoint,
// so its client polls GET /result/{id} back to back.
async function waitForSuccess(agent, stack, id) {
  if (stack.name === 'celeriac') {
    const { status, json } = await getJson(
      agent,
      `${stack.url}/v1/tasks/${id}?wait=10`,
    );
    if (status !== 200 || json?.status !== 'SUCCESS') {
      throw new Error(`celeriac: ?wait answered ${status} ${json?.status}`);
    }
    return;
  }
  const deadline = Date.now() + 10_000;
  for (;;) {
    const { status, json } = await getJson(agent, `${stack.url}/result/${id}`);
    if (status === 200 && json?.status === 'SUCCESS') return;
    if (status !== 202 || Date.now() > deadline) {
      throw new Error(`seed: GET /result answered ${status} ${json?.status}`);
    }
  }
}

/** (e) One task at a time: GET /solo/add until a waiting client sees SUCCESS. */
export async function latency(stack, count) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 2 });
  const latencies = [];
  try {
    for (let index = 0; index < count; index++) {
      const start = performance.now();
      const id = await solo(agent, stack);
      await waitForSuccess(agent, stack, id);
      latencies.push(performance.now() - start);
    }
  } finally {
    agent.destroy();
  }
  return {
    count,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    latenciesMs: latencies,
  };
}
