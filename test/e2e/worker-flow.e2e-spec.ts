import { type ConfirmChannel, type ChannelModel, connect } from 'amqplib';
import { Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';
import {
  buildTaskMessage,
  declareTaskQueue,
  encodeTaskMessage,
} from '@celeriac/broker';
import { deleteQueue, TEST_BROKER_URL } from '../utils/rabbitmq';
import { TEST_REDIS_URL } from '../utils/redis';
import { WorkerProcess } from '../utils/worker-process';

// Many short tasks through a worker as users run it: the defaults (task
// events on, concurrency 2, track started, log level info), seed tasks with
// their sleeps scaled to 0. A fixed per-task stall, such as a small frame
// held back by Nagle's algorithm until the broker's delayed ACK (40 ms), made
// 2000 of them take 45 s. The bound guards that regression by an order of
// magnitude: 500 tasks × 40 ms / 2 slots = 10 s; unstalled they take well
// under a second on an idle machine.
const TASKS = 500;
const BOUND_MS = 6_000;

describe('the default worker keeps many tasks in flight', () => {
  const queue = `test-flow-${randomUUID()}`;
  const workers: WorkerProcess[] = [];
  let connection: ChannelModel;
  let channel: ConfirmChannel;
  let redis: Redis;

  beforeAll(async () => {
    connection = await connect(TEST_BROKER_URL);
    channel = await connection.createConfirmChannel();
    await declareTaskQueue(channel, queue);
    redis = new Redis(TEST_REDIS_URL);
  });

  afterEach(async () => {
    for (const worker of workers.splice(0)) {
      worker.signal('SIGTERM');
      await worker.exited;
    }
  });

  afterAll(async () => {
    await channel?.close();
    await connection?.close();
    await redis?.quit();
    await deleteQueue(queue);
  });

  /** Publishes `TASKS` add_task messages and resolves with ms to the last SUCCESS. */
  async function runMany(): Promise<{ ms: number; results: unknown[] }> {
    const messages = Array.from({ length: TASKS }, (_, index) => {
      const id = randomUUID();
      return {
        id,
        ...encodeTaskMessage(
          buildTaskMessage({ task: 'add_task', id, args: [index, 1] }),
        ),
      };
    });
    const keys = messages.map(({ id }) => `celery-task-meta-${id}`);
    const start = performance.now();
    for (const { content, options } of messages) {
      channel.publish('', queue, content, options);
    }
    await channel.waitForConfirms();
    // Generous: a stalled worker is still measured, not cut off.
    const deadline = start + 4 * BOUND_MS;
    let pending = keys;
    while (pending.length > 0 && performance.now() < deadline) {
      const found = await redis.mget(pending);
      pending = pending.filter(
        (_, index) => !found[index]?.includes('"SUCCESS"'),
      );
      if (pending.length > 0) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    }
    const ms = performance.now() - start;
    expect(pending).toEqual([]);
    const results = (await redis.mget(keys)).map(
      (raw) => (JSON.parse(raw ?? 'null') as { result?: unknown })?.result,
    );
    await redis.del(...keys);
    return { ms, results };
  }

  const start = (env: Record<string, string> = {}) =>
    WorkerProcess.start({
      WORKER_QUEUES: queue,
      TASK_TIME_SCALE: '0',
      // WorkerProcess logs at debug; users run the default.
      LOG_LEVEL: 'info',
      ...env,
    }).then((worker) => {
      workers.push(worker);
      return worker;
    });

  it(`runs ${TASKS} tasks with every default in under ${BOUND_MS / 1000} s`, async () => {
    await start();

    const { ms, results } = await runMany();

    expect(results).toEqual(
      Array.from({ length: TASKS }, (_, index) => index + 1),
    );
    expect(ms).toBeLessThan(BOUND_MS);
  });

  it(`also with prefetch 1 per slot (nothing in reserve to hide a stall) in under ${BOUND_MS / 1000} s`, async () => {
    await start({ WORKER_PREFETCH_MULTIPLIER: '1' });

    const { ms } = await runMany();

    expect(ms).toBeLessThan(BOUND_MS);
  });
});
