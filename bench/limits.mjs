// `node bench/limits.mjs` (after `npm run build`): only the limits phase of
// `npm run bench` (bench/lib/limits-phase.mjs), printed as a table and
// written to bench/results/limits-<timestamp>.json.
import { randomUUID } from 'node:crypto';
import amqplib from 'amqplib';
import { Redis } from 'ioredis';
import {
  limitsPhase,
  limitsSettings,
  printLimitsTable,
} from './lib/limits-phase.mjs';
import { writeReport } from './lib/phase-report.mjs';

const BROKER_URL =
  process.env.BROKER_URL ?? 'amqp://guest:guest@127.0.0.1:5672//';
const REDIS_URL = process.env.RESULT_BACKEND_URL ?? 'redis://127.0.0.1:6379/0';
const connection = await amqplib.connect(BROKER_URL);
const channel = await connection.createConfirmChannel();
const redis = new Redis(REDIS_URL);
let port = 20_200 + Math.floor(Math.random() * 400);
try {
  const report = await limitsPhase({
    channel,
    redis,
    run: randomUUID().slice(0, 8),
    nextPort: () => port++,
    settings: limitsSettings(process.env),
    log: (line) => console.error(`[limits] ${line}`),
  });
  printLimitsTable(report);
  console.log(`\nJSON: ${writeReport('limits', { limitsPhase: report })}`);
} finally {
  await channel.close().catch(() => undefined);
  await connection.close().catch(() => undefined);
  redis.disconnect();
}
