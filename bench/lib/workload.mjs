// The benchmark's workload, the same for every system: Celery protocol v2
// messages for `celery.accumulate` (built with celeriac's own codec, which the
// interop suite checks against Python), published with confirms, and the
// moment every result key exists in Redis.
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { setTimeout as sleep } from 'node:timers/promises';

const require = createRequire(import.meta.url);
const broker = require('../../dist/apps/api/libs/broker/src/index.js');

export const TASK = 'celery.accumulate';
const PUBLISH_BATCH = 500;

/** Pre-encoded messages, so the clock never times the encoding. */
export function buildMessages(count) {
  const messages = [];
  for (let index = 0; index < count; index++) {
    const id = randomUUID();
    const { content, options } = broker.encodeTaskMessage(
      broker.buildTaskMessage({
        task: TASK,
        id,
        args: [],
        kwargs: {},
        argsForm: 'list',
        priority: 0,
      }),
    );
    messages.push({ id, content, options });
  }
  return messages;
}

export async function declareQueue(channel, queue) {
  await broker.declareTaskQueue(channel, queue);
}

export async function deleteQueue(channel, queue) {
  await channel.deleteQueue(queue).catch(() => undefined);
  await channel.deleteExchange(queue).catch(() => undefined);
}

/** Publishes to the default exchange in confirmed batches, as Celery routes. */
export async function publishAll(channel, queue, messages) {
  for (let start = 0; start < messages.length; start += PUBLISH_BATCH) {
    const end = Math.min(start + PUBLISH_BATCH, messages.length);
    for (let index = start; index < end; index++) {
      const { content, options } = messages[index];
      if (!channel.publish('', queue, content, options)) {
        await new Promise((resolve) => channel.once('drain', resolve));
      }
    }
    await channel.waitForConfirms();
  }
}

/** Resolves when the queue has a consumer, or throws after `timeoutMs`. */
export async function waitForConsumer(channel, queue, timeoutMs, exited) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const { consumerCount } = await channel.checkQueue(queue);
    if (consumerCount > 0) return;
    if (exited()) throw new Error(`the worker for ${queue} exited`);
    await sleep(50);
  }
  throw new Error(`no consumer on ${queue} after ${timeoutMs} ms`);
}

/**
 * Resolves with the time when every result key exists: the queue is polled
 * until empty (cheap), then the keys are counted with EXISTS.
 */
export async function waitForResults(channel, redis, queue, ids, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  const keys = ids.map((id) => `celery-task-meta-${id}`);
  while (Date.now() < deadline) {
    const { messageCount } = await channel.checkQueue(queue);
    if (messageCount === 0) break;
    // A drain of 5000 takes well under a second: poll finely.
    await sleep(5);
  }
  while (Date.now() < deadline) {
    let present = 0;
    for (let start = 0; start < keys.length; start += 5000) {
      present += await redis.exists(...keys.slice(start, start + 5000));
    }
    if (present === keys.length) return performance.now();
    await sleep(present > keys.length * 0.98 ? 2 : 10);
  }
  throw new Error(`results for ${queue} missing after ${timeoutMs} ms`);
}

export async function deleteResults(redis, ids) {
  for (let start = 0; start < ids.length; start += 5000) {
    await redis.unlink(
      ...ids.slice(start, start + 5000).map((id) => `celery-task-meta-${id}`),
    );
  }
}

/**
 * Sequential round trips: subscribe to the result channel, publish, time
 * until the result is published. Returns the latencies in ms.
 */
export async function roundTrips(channel, subscriber, queue, count, timeoutMs) {
  const latencies = [];
  const ids = [];
  let pending = null;
  // STARTED may be published first: wait for the ready state.
  const listener = (channelName, json) => {
    if (pending && channelName === pending.key) {
      const { status } = JSON.parse(json);
      if (status === 'SUCCESS' || status === 'FAILURE') pending.done();
    }
  };
  subscriber.on('message', listener);
  for (let index = 0; index < count; index++) {
    const [{ id, content, options }] = buildMessages(1);
    ids.push(id);
    const key = `celery-task-meta-${id}`;
    await subscriber.subscribe(key);
    const finished = new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`round trip ${id} timed out`)),
        timeoutMs,
      );
      pending = {
        key,
        done: () => {
          clearTimeout(timer);
          resolve(performance.now());
        },
      };
    });
    const start = performance.now();
    channel.publish('', queue, content, options);
    const end = await finished;
    latencies.push(end - start);
    pending = null;
    await channel.waitForConfirms();
    await subscriber.unsubscribe(key);
  }
  subscriber.off('message', listener);
  return { latencies, ids };
}

export function percentile(values, p) {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(
    sorted.length - 1,
    Math.ceil((p / 100) * sorted.length) - 1,
  );
  return sorted[Math.max(0, rank)];
}

export function median(values) {
  const sorted = values
    .filter((value) => typeof value === 'number')
    .sort((a, b) => a - b);
  if (sorted.length === 0) return null;
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? sorted[middle]
    : (sorted[middle - 1] + sorted[middle]) / 2;
}

export { broker };
