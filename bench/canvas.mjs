// `node bench/canvas.mjs` (after `npm run build`): only the canvas phase of
// `npm run bench` (bench/lib/canvas-phase.mjs), printed as a table and
// written to bench/results/canvas-<timestamp>.json.
import { randomUUID } from 'node:crypto';
import amqplib from 'amqplib';
import {
  canvasPhase,
  canvasSettings,
  printCanvasTable,
} from './lib/canvas-phase.mjs';
import { writeReport } from './lib/phase-report.mjs';

const BROKER_URL =
  process.env.BROKER_URL ?? 'amqp://guest:guest@127.0.0.1:5672//';
const REDIS_URL = process.env.RESULT_BACKEND_URL ?? 'redis://127.0.0.1:6379/0';
const connection = await amqplib.connect(BROKER_URL);
const channel = await connection.createConfirmChannel();
let port = 19_800 + Math.floor(Math.random() * 400);
try {
  const report = await canvasPhase({
    channel,
    run: randomUUID().slice(0, 8),
    brokerUrl: BROKER_URL,
    redisUrl: REDIS_URL,
    nextPort: () => port++,
    settings: canvasSettings(process.env),
    log: (line) => console.error(`[canvas] ${line}`),
  });
  printCanvasTable(report);
  console.log(`\nJSON: ${writeReport('canvas', { canvasPhase: report })}`);
} finally {
  await channel.close().catch(() => undefined);
  await connection.close().catch(() => undefined);
}
