// Publish-only rates of celeriac's sending side: the library's CeleryClient
// (confirmed publishes, many in flight) and the built api's POST /v1/tasks
// under autocannon. Nothing consumes: the queue is deleted afterwards.
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { startApi } from './api-process.mjs';
import { broker, deleteQueue, TASK } from './workload.mjs';

const require = createRequire(import.meta.url);
const autocannon = require('autocannon');
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
  const { url, stop } = await startApi({
    brokerUrl,
    redisUrl,
    port,
    env: { TASK_DEFAULT_QUEUE: queue },
  });
  try {
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
    await stop();
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
