// Load for profiling a worker by hand: publishes N no-op tasks to QUEUE and
// waits for their results. Start the worker under `node --cpu-prof` first.
//   node bench/profile-load.mjs QUEUE [N]
import amqplib from 'amqplib';
import { Redis } from 'ioredis';
import {
  buildMessages,
  declareQueue,
  deleteResults,
  publishAll,
  waitForResults,
} from './lib/workload.mjs';

const [queue, count = '20000'] = process.argv.slice(2);
const connection = await amqplib.connect('amqp://guest:guest@127.0.0.1:5672');
const channel = await connection.createConfirmChannel();
const redis = new Redis(
  process.env.RESULT_BACKEND_URL ?? 'redis://127.0.0.1:6379/0',
);
await declareQueue(channel, queue);
const messages = buildMessages(Number(count));
const start = performance.now();
await publishAll(channel, queue, messages);
const ids = messages.map(({ id }) => id);
const end = await waitForResults(channel, redis, queue, ids, 120_000);
console.log(
  `${count} tasks in ${((end - start) / 1000).toFixed(2)} s: ${(Number(count) / ((end - start) / 1000)).toFixed(0)}/s`,
);
await deleteResults(redis, ids);
await connection.close();
redis.disconnect();
