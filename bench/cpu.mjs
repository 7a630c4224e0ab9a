// `node bench/cpu.mjs` (after `npm run build`): only the CPU phase of
// `npm run bench` (bench/lib/cpu-phase.mjs), printed as tables and written to
// bench/results/cpu-<timestamp>.json. BENCH_PORT_BASE: the first of the
// workers' health ports (else a random one from 19400).
import { randomUUID } from 'node:crypto';
import amqplib from 'amqplib';
import { Redis } from 'ioredis';
import { cpuPhase, cpuSettings, printCpuTable } from './lib/cpu-phase.mjs';
import { writeReport } from './lib/phase-report.mjs';

const BROKER_URL =
  process.env.BROKER_URL ?? 'amqp://guest:guest@127.0.0.1:5672//';
const REDIS_URL = process.env.RESULT_BACKEND_URL ?? 'redis://127.0.0.1:6379/0';
const connection = await amqplib.connect(BROKER_URL);
const channel = await connection.createConfirmChannel();
const redis = new Redis(REDIS_URL);
let port = Number(
  process.env.BENCH_PORT_BASE ?? 19_400 + Math.floor(Math.random() * 400),
);
try {
  const rows = await cpuPhase({
    channel,
    redis,
    brokerUrl: BROKER_URL,
    run: randomUUID().slice(0, 8),
    nextPort: () => port++,
    settings: cpuSettings(process.env),
    log: (line) => console.error(`[cpu] ${line}`),
  });
  printCpuTable(rows);
  console.log(`\nJSON: ${writeReport('cpu', { cpuPhase: rows })}`);
} finally {
  await channel.close().catch(() => undefined);
  await connection.close().catch(() => undefined);
  redis.disconnect();
}
