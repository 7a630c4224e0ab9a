// The celeriac side of the canvas phase, as its own process (as the Python
// side is): a Nest application context with celeriac's TaskSystemModule, the
// TypeScript canvas builders and TaskProducer.applyWorkflow, on the queue in
// TASK_DEFAULT_QUEUE. Runs the shapes named in argv, each timed from the call
// to its final result in Redis, and prints one `CANVAS_RESULT {json}` line.
import { createRequire } from 'node:module';
import { Redis } from 'ioredis';
import { cpuSeconds } from '../lib/proc-stats.mjs';
import { waitForCanvas } from './canvas-wait.mjs';

const require = createRequire(import.meta.url);
const { Module } = require('@nestjs/common');
const { NestFactory } = require('@nestjs/core');
// BENCH_CANVAS_CLIENT_DIST: another build's dist/ (kept inside the
// repository, so it finds node_modules), to compare two producers.
const tasks = require(
  `../../${process.env.BENCH_CANVAS_CLIENT_DIST ?? 'dist'}/apps/api/libs/tasks/src/index.js`,
);
// The worker's pid (the phase passes it): its CPU per shape is reported.
const workerPid = Number(process.env.BENCH_WORKER_PID ?? 0);

const [size, chainLength, warmupSize] = process.argv.slice(2, 5).map(Number);
const shapes = process.argv.slice(5);

class CanvasClientModule {}
Module({ imports: [tasks.TaskSystemModule.forApp('bench')] })(
  CanvasClientModule,
);

const { chain, chord, group, Signature } = tasks;
const add = (...args) => new Signature('add_task', args);
/** Each shape: its canvas, and what its final result must be. */
const SHAPES = {
  group: (size) => ({
    canvas: group(...Array.from({ length: size }, (_, i) => add(i, 1))),
    expected: (size * (size + 1)) / 2,
  }),
  chord: (size) => ({
    // celery.accumulate(results, index=0) returns the header's results as
    // one list (the body's work); its length and sum are checked.
    canvas: chord(
      Array.from({ length: size }, (_, i) => add(i, i)),
      new Signature('celery.accumulate', [], { index: 0 }),
    ),
    expected: size * (size - 1),
  }),
  chain: (_, chainLength) => ({
    canvas: chain(
      add(0, 1),
      ...Array.from({ length: chainLength - 1 }, () => add(1)),
    ),
    expected: chainLength,
  }),
};

const app = await NestFactory.createApplicationContext(CanvasClientModule, {
  logger: ['error', 'warn'],
});
const producer = app.get(tasks.TaskProducer);
const redis = new Redis(process.env.RESULT_BACKEND_URL);

async function run(shape, shapeSize, shapeChainLength) {
  const { canvas, expected } = SHAPES[shape](shapeSize, shapeChainLength);
  const workerCpu = workerPid ? cpuSeconds(workerPid) : null;
  const clientCpu = process.cpuUsage();
  const started = performance.now();
  const { taskId, taskIds } = await producer.applyWorkflow(canvas);
  // The producer's share: planning, PENDING marks, publishes and confirms.
  const submitSeconds = (performance.now() - started) / 1000;
  const submitCpu = process.cpuUsage(clientCpu);
  const result = await waitForCanvas(redis, {
    shape,
    started,
    finalId: taskId,
    // The group's result is all of its members; every id is cleaned up.
    ids: taskIds,
    size: shapeSize,
    expected,
  });
  return {
    ...result,
    submitSeconds,
    submitCpuSeconds: (submitCpu.user + submitCpu.system) / 1e6,
    workerCpuSeconds:
      workerCpu === null ? null : cpuSeconds(workerPid) - workerCpu,
  };
}

const results = {};
try {
  // Untimed first: V8's JIT and the connections of both processes.
  for (const shape of warmupSize > 0 ? shapes : []) {
    await run(shape, warmupSize, Math.min(chainLength, warmupSize));
  }
  for (const shape of shapes) {
    results[shape] = await run(shape, size, chainLength);
  }
} finally {
  redis.disconnect();
  await app.close();
}
console.log(`CANVAS_RESULT ${JSON.stringify(results)}`);
