import { type Channel, type ChannelModel, connect } from 'amqplib';
import { Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';
import {
  buildTaskMessage,
  declareTaskQueue,
  encodeTaskMessage,
} from '@celeriac/broker';
import { ResultRepository, type TaskMeta } from '@celeriac/results';
import { pollUntil } from '../utils/poll-until';
import { deleteQueue, TEST_BROKER_URL } from '../utils/rabbitmq';
import { TEST_REDIS_URL } from '../utils/redis';
import { type LogLine, WorkerProcess } from '../utils/worker-process';
import {
  BOOT_TIMEOUT_MS,
  TEARDOWN_TIMEOUT_MS,
  teardown,
} from '../utils/teardown';

const READY = ['SUCCESS', 'FAILURE', 'REVOKED'];

describe('the worker as a real process', () => {
  const queue = `test-process-${randomUUID()}`;
  const workers: WorkerProcess[] = [];
  let connection: ChannelModel;
  let channel: Channel;
  let redis: Redis;
  let results: ResultRepository;

  const startWorker = async (env: Record<string, string> = {}) => {
    const worker = await WorkerProcess.start({
      WORKER_QUEUES: queue,
      TASK_DEFAULT_QUEUE: queue,
      WORKER_CONCURRENCY: '2',
      RESULT_EXPIRES: '300',
      ...env,
    });
    workers.push(worker);
    return worker;
  };
  const send = (task: string, args: unknown[]) => {
    const id = randomUUID();
    const { content, options } = encodeTaskMessage(
      buildTaskMessage({ task, id, args }),
    );
    channel.publish('', queue, content, options);
    return id;
  };
  const meta = (id: string) => results.getTaskMeta(id);
  const running = (id: string) =>
    pollUntil(
      () => meta(id),
      (found) => ['STARTED', 'PROGRESS'].includes(found?.status ?? ''),
    );
  const finalMeta = (id: string) =>
    pollUntil(
      () => meta(id),
      (found: TaskMeta | null) => READY.includes(found?.status ?? ''),
      { timeoutMs: 25_000 },
    );
  /** Messages ready in the queue: delivered-but-unacked ones do not count. */
  const readyInQueue = async () => {
    const { messageCount } = await channel.checkQueue(queue);
    return messageCount;
  };

  beforeAll(async () => {
    connection = await connect(TEST_BROKER_URL);
    channel = await connection.createChannel();
    await declareTaskQueue(channel, queue);
    redis = new Redis(TEST_REDIS_URL);
    results = new ResultRepository(redis, { expiresSeconds: 300 });
  }, BOOT_TIMEOUT_MS);

  afterEach(async () => {
    for (const worker of workers.splice(0)) {
      worker.signal('SIGKILL');
      await worker.exited;
    }
  });

  afterAll(
    () =>
      teardown(
        () => channel?.close(),
        () => connection?.close(),
        () => redis?.quit(),
        () => deleteQueue(queue),
      ),
    TEARDOWN_TIMEOUT_MS,
  );

  it('finishes a running task on SIGTERM, exits 0 and leaves nothing behind', async () => {
    // add_task: 20 s x 0.15 = 3 s.
    const worker = await startWorker({ TASK_TIME_SCALE: '0.15' });
    const id = send('add_task', [40, 2]);
    await running(id);

    worker.signal('SIGTERM');
    expect(await worker.exited).toEqual({ code: 0, signal: null });
    expect(await meta(id)).toMatchObject({ status: 'SUCCESS', result: 42 });
    expect(await readyInQueue()).toBe(0);
  });

  it('gives back a held ETA task on SIGTERM instead of waiting for it', async () => {
    // Delayed handoff off: the worker holds the ETA task itself, as Celery does.
    const worker = await startWorker({
      TASK_TIME_SCALE: '0',
      BEAT_DELAY_THRESHOLD: '0',
    });
    const id = randomUUID();
    const { content, options } = encodeTaskMessage(
      buildTaskMessage({
        task: 'multi_task',
        id,
        args: [6, 7],
        eta: new Date(Date.now() + 60_000),
      }),
    );
    channel.publish('', queue, content, options);
    // Delivered to the worker, which holds it unacked until its ETA.
    expect(await pollUntil(readyInQueue, (ready) => ready === 0)).toBe(0);

    worker.signal('SIGTERM');
    expect(await worker.exited).toEqual({ code: 0, signal: null });
    expect(await readyInQueue()).toBe(1);
    expect(await meta(id)).toBeNull();
    await channel.purgeQueue(queue);
  });

  it('raises the prefetch for a held ETA task, so others still run (concurrency 1)', async () => {
    // Prefetch 1: without the raise, the held ETA task would block the quick one.
    await startWorker({
      TASK_TIME_SCALE: '0',
      WORKER_CONCURRENCY: '1',
      WORKER_PREFETCH_MULTIPLIER: '1',
    });
    const delayedId = randomUUID();
    const { content, options } = encodeTaskMessage(
      buildTaskMessage({
        task: 'multi_task',
        id: delayedId,
        args: [6, 7],
        eta: new Date(Date.now() + 3_000),
      }),
    );
    channel.publish('', queue, content, options);
    const quick = send('multi_task', [2, 3]);

    expect(await finalMeta(quick)).toMatchObject({
      status: 'SUCCESS',
      result: 6,
    });
    expect(await meta(delayedId)).toBeNull();
    expect(await finalMeta(delayedId)).toMatchObject({
      status: 'SUCCESS',
      result: 42,
    });
  });

  it('runs both in-flight tasks on another worker after a kill -9', async () => {
    const first = await startWorker({ TASK_TIME_SCALE: '0.15' });
    const ids = [send('add_task', [1, 2]), send('add_task', [3, 4])];
    await Promise.all(ids.map((id) => running(id)));

    first.signal('SIGKILL');
    expect((await first.exited).signal).toBe('SIGKILL');
    await startWorker({ TASK_TIME_SCALE: '0' });

    expect(await finalMeta(ids[0])).toMatchObject({
      status: 'SUCCESS',
      result: 3,
    });
    expect(await finalMeta(ids[1])).toMatchObject({
      status: 'SUCCESS',
      result: 7,
    });
  });

  it('runs at most WORKER_CONCURRENCY=2 at once, and a second worker takes a share', async () => {
    // multi_task: 2 s x 0.25 = 0.5 s each. 20 of them keep the first worker
    // busy for 5 s on its own, well past the second one's start even on a
    // loaded machine (with 10, a slow start found the queue already empty).
    // Prefetch 1 per slot, as for long tasks shared by workers: with the
    // default 4, the first would hold 8 of them before the second is up.
    const fair = { TASK_TIME_SCALE: '0.25', WORKER_PREFETCH_MULTIPLIER: '1' };
    const first = await startWorker(fair);
    const ids = Array.from({ length: 20 }, (_, index) =>
      send('multi_task', [index, 2]),
    );
    const second = await startWorker(fair);
    for (const [index, id] of ids.entries()) {
      expect(await finalMeta(id)).toMatchObject({
        status: 'SUCCESS',
        result: index * 2,
      });
    }

    const spans = [first, second].map((worker) => taskSpans(worker.logs()));
    for (const workerSpans of spans) {
      expect(maxOverlap(workerSpans)).toBeLessThanOrEqual(2);
    }
    expect(maxOverlap(spans[0])).toBe(2);
    expect(spans[1].length).toBeGreaterThan(0);
    expect(spans[0].length + spans[1].length).toBe(20);
  });
});

/** [start, end] of each task a worker ran, from its own log lines. */
function taskSpans(logs: LogLine[]): [number, number][] {
  const started = new Map<string, number>();
  const spans: [number, number][] = [];
  for (const line of logs) {
    if (!line.taskId) {
      continue;
    }
    if (line.msg === 'task started') {
      started.set(line.taskId, line.time);
    } else if (line.msg === 'task succeeded' && started.has(line.taskId)) {
      spans.push([started.get(line.taskId) as number, line.time]);
    }
  }
  return spans;
}

/** The most spans that are open at one instant. */
function maxOverlap(spans: [number, number][]): number {
  const edges = spans.flatMap(([start, end]) => [
    [start, 1],
    [end, -1],
  ]);
  // An end and a start at the same millisecond do not overlap.
  edges.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let open = 0;
  let most = 0;
  for (const [, change] of edges) {
    open += change;
    most = Math.max(most, open);
  }
  return most;
}
