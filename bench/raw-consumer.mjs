// The limit celeriac is measured against: a plain amqplib consumer (manual
// ack, fixed prefetch) that runs Celery's no-op `celery.accumulate` and
// writes each result to Redis as Celery's backend does, with no framework.
//   --mode setex      MULTI SETEX + PUBLISH per task, then ack (Celery's write)
//   --mode pipelined  SET ... EX on an auto-pipelined client, then ack
// Prints "ready" once it consumes. Usage:
//   node bench/raw-consumer.mjs --queue Q --mode setex --prefetch 64
import { parseArgs } from 'node:util';
import amqplib from 'amqplib';
import { Redis } from 'ioredis';

const { values } = parseArgs({
  options: {
    queue: { type: 'string' },
    mode: { type: 'string', default: 'setex' },
    prefetch: { type: 'string', default: '64' },
    broker: {
      type: 'string',
      default: process.env.BROKER_URL ?? 'amqp://guest:guest@127.0.0.1:5672',
    },
    redis: {
      type: 'string',
      default: process.env.RESULT_BACKEND_URL ?? 'redis://127.0.0.1:6379/0',
    },
    expires: { type: 'string', default: '86400' },
  },
});
if (!values.queue || !['setex', 'pipelined'].includes(values.mode)) {
  console.error('usage: --queue NAME --mode setex|pipelined [--prefetch N]');
  process.exit(2);
}
const queue = values.queue;
const pipelined = values.mode === 'pipelined';
const expires = Number(values.expires);

const redis = new Redis(values.redis, { enableAutoPipelining: pipelined });
const connection = await amqplib.connect(values.broker.replace(/\/\/$/, '/'));
const channel = await connection.createChannel();
await channel.prefetch(Number(values.prefetch), true);
// Celery's topology for a missing queue (see libs/broker celery-topology).
await channel.assertExchange(queue, 'direct', { durable: true });
await channel.assertQueue(queue, { durable: true });
await channel.bindQueue(queue, queue, queue);

function celeryDate() {
  // Celery's date_done: ISO 8601 with microseconds and +00:00.
  return new Date().toISOString().replace('Z', '000+00:00');
}

async function handle(message) {
  const id = message.properties.headers?.id;
  const [args, kwargs] = JSON.parse(message.content.toString('utf8'));
  const index = kwargs?.index;
  const result = typeof index === 'number' ? args[index] : args;
  const key = `celery-task-meta-${id}`;
  const meta = JSON.stringify({
    status: 'SUCCESS',
    result,
    traceback: null,
    children: [],
    date_done: celeryDate(),
    task_id: id,
  });
  if (pipelined) {
    await redis.set(key, meta, 'EX', expires);
  } else {
    await redis.multi().setex(key, expires, meta).publish(key, meta).exec();
  }
  channel.ack(message);
}

await channel.consume(
  queue,
  (message) => {
    if (message) {
      handle(message).catch((error) => {
        console.error(`task failed: ${error.message}`);
        channel.nack(message, false, true);
      });
    }
  },
  { noAck: false },
);
console.log('ready');

async function stop() {
  await channel.close().catch(() => undefined);
  await connection.close().catch(() => undefined);
  redis.disconnect();
  process.exit(0);
}
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
