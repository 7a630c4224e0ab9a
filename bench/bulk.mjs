// `node bench/bulk.mjs` (after `npm run build`): only the bulk-submit phase
// of `npm run bench` (bench/lib/bulk-submit.mjs), with the same BENCH_BULK_*
// settings; BENCH_BULK_BULLMQ=off skips BullMQ, BENCH_API_MAIN runs another
// api build, BENCH_BULK_API_FLAGS passes node flags (e.g. --cpu-prof).
import { randomUUID } from 'node:crypto';
import amqplib from 'amqplib';
import { bulkSettings, bulkSubmit, printBulk } from './lib/bulk-submit.mjs';

const BROKER_URL =
  process.env.BROKER_URL ?? 'amqp://guest:guest@127.0.0.1:5672//';
const REDIS_URL = process.env.RESULT_BACKEND_URL ?? 'redis://127.0.0.1:6379/0';
const connection = await amqplib.connect(BROKER_URL.replace(/\/\/$/, '/'));
const channel = await connection.createConfirmChannel();
try {
  const result = await bulkSubmit({
    channel,
    run: randomUUID().slice(0, 8),
    port: 19_800 + Math.floor(Math.random() * 150),
    brokerUrl: BROKER_URL,
    redisUrl: REDIS_URL,
    settings: bulkSettings(process.env),
    log: (line) => console.error(`[bulk] ${line}`),
  });
  printBulk(result);
  console.log(JSON.stringify(result));
} finally {
  await channel.close().catch(() => undefined);
  await connection.close().catch(() => undefined);
}
