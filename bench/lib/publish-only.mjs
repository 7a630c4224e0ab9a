// Publish-only rates of celeriac's sending side: the library's CeleryClient
// (confirmed publishes, many in flight) and the built api's POST /v1/tasks
// under autocannon. Nothing consumes: the queue is deleted afterwards.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { broker, deleteQueue, TASK } from './workload.mjs';

const require = createRequire(import.meta.url);
const autocannon = require('autocannon');
const ROOT = resolve(import.meta.dirname, '..', '..');
const API_MAIN = resolve(ROOT, 'dist/apps/api/apps/api/src/main.js');
const IN_FLIGHT = 256;

async function clientRate({ brokerUrl, queue, count }) {
  const client = new broker.CeleryClient({
    url: brokerUrl,
    connectionName: 'celeriac-bench',
  });
  await client.connect();
  const messages = Array.from({ length: count }, () =>
    broker.buildTaskMessage({
      task: TASK,
      id: randomUUID(),
      args: [],
      argsForm: 'list',
    }),
  );
  await client.publishTask(messages.pop(), queue); // declares the queue
  const start = performance.now();
  let next = 0;
  const lane = async () => {
    while (next < messages.length) {
      await client.publishTask(messages[next++], queue);
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, lane));
  const seconds = (performance.now() - start) / 1000;
  await client.close();
  return {
    perSecond: messages.length / seconds,
    count: messages.length,
    inFlight: IN_FLIGHT,
  };
}

async function httpRate({ brokerUrl, redisUrl, queue, port, seconds }) {
  const child = spawn(process.execPath, [API_MAIN], {
    cwd: ROOT,
    env: {
      ...withoutApiKeys(process.env),
      BROKER_URL: brokerUrl,
      RESULT_BACKEND_URL: redisUrl,
      API_PORT: String(port),
      API_RATE_LIMIT: '0',
      TASK_DEFAULT_QUEUE: queue,
      RESULT_EXPIRES: '300',
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr = (stderr + chunk).slice(-4000)));
  const url = `http://127.0.0.1:${port}`;
  try {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const up = await fetch(`${url}/health/ready`).then(
        (r) => r.ok,
        () => false,
      );
      if (up) break;
      if (Date.now() > deadline || child.exitCode !== null) {
        throw new Error(`api did not start: ${stderr}`);
      }
      await sleep(100);
    }
    const body = JSON.stringify({ task: TASK, args: [] });
    // Warm-up, then the measured run.
    await autocannon({
      url: `${url}/v1/tasks`,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
      connections: 8,
      duration: 1,
    });
    const result = await autocannon({
      url: `${url}/v1/tasks`,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
      connections: 16,
      duration: seconds,
    });
    return {
      perSecond: result.requests.average,
      total: result.requests.total,
      non2xx: result.non2xx,
      errors: result.errors,
      latencyP50Ms: result.latency.p50,
      latencyP99Ms: result.latency.p99,
      connections: 16,
      seconds,
    };
  } finally {
    child.kill('SIGTERM');
    await new Promise((done) =>
      child.exitCode !== null ? done() : child.once('exit', done),
    );
  }
}

export async function publishOnly({
  channel,
  run,
  count,
  httpSeconds,
  port,
  brokerUrl,
  redisUrl,
}) {
  const clientQueue = `bench-${run}-publish-client`;
  const httpQueue = `bench-${run}-publish-http`;
  try {
    const client = await clientRate({ brokerUrl, queue: clientQueue, count });
    const http = await httpRate({
      brokerUrl,
      redisUrl,
      queue: httpQueue,
      port,
      seconds: httpSeconds,
    });
    return { client, http };
  } finally {
    await deleteQueue(channel, clientQueue);
    await deleteQueue(channel, httpQueue);
  }
}

// The api would demand a bearer token if the caller's environment set keys.
function withoutApiKeys(environment) {
  const { API_KEYS: _keys, ...rest } = environment;
  return rest;
}
