import type { INestApplication } from '@nestjs/common';
import { connect } from 'amqplib';
import { Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { ResultRepository } from '@celeriac/results';
import { InteropTasksModule } from '../interop/utils/interop-tasks.module';
import { bootApi, bootWorker, useEnvironment } from '../utils/boot-apps';
import { pollUntil } from '../utils/poll-until';
import { deleteQueue, TEST_BROKER_URL } from '../utils/rabbitmq';
import { testRedisUrl } from '../utils/redis';
import {
  BOOT_TIMEOUT_MS,
  TEARDOWN_TIMEOUT_MS,
  teardown,
} from '../utils/teardown';

const run = randomUUID();
// The worker consumes `served`; nobody consumes `idle`, so its messages can be counted.
const served = `test-batch-${run}`;
const idle = `test-batch-idle-${run}`;
const atomicQueue = `test-batch-atomic-${run}`;
const idempotentQueue = `test-batch-idempotent-${run}`;
// A Redis database of this file's own: its PENDING keys can be listed.
const REDIS_URL = testRedisUrl(14);
useEnvironment({
  TASK_DEFAULT_QUEUE: served,
  WORKER_QUEUES: served,
  WORKER_CONCURRENCY: '16',
  // add_task takes 20 s unscaled: 4 ms here.
  TASK_TIME_SCALE: '0.0002',
  RESULT_BACKEND_URL: REDIS_URL,
  RESULT_EXPIRES: '300',
  WORKER_SHUTDOWN_TIMEOUT: '1',
});

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

interface BatchResult {
  index: number;
  task_id?: string;
  status_url?: string;
  error?: { status: number; code: string; detail: string };
}

/** Three kinds of task with their own options; `expected` is each result. */
function mixedTasks(count: number) {
  return Array.from({ length: count }, (_, i) => {
    switch (i % 3) {
      case 0:
        return { body: { task: 'sum_task', args: [[i, 1]] }, expected: i + 1 };
      case 1:
        return {
          body: {
            task: 'multi_task',
            kwargs: { a: i, b: 2 },
            queue: served,
            priority: i % 10,
            expires: 600,
          },
          expected: i * 2,
        };
      default:
        return {
          body: {
            task: 'add_task',
            args: [i, 3],
            countdown: 0,
            max_retries: 1,
          },
          expected: i + 3,
        };
    }
  });
}

describe('POST /v1/tasks/batch against a real worker', () => {
  let api: INestApplication;
  let worker: INestApplication;
  let redis: Redis;
  const batch = (body: unknown) =>
    request(api.getHttpServer())
      .post('/v1/tasks/batch')
      .send(body as object);

  beforeAll(async () => {
    redis = new Redis(REDIS_URL);
    api = await bootApi({ imports: [InteropTasksModule] });
    worker = await bootWorker({ imports: [InteropTasksModule] });
  }, BOOT_TIMEOUT_MS);

  afterAll(
    () =>
      teardown(
        () => worker?.close(),
        () => api?.close(),
        () => deleteQueue(served),
        () => deleteQueue(idle),
        () => deleteQueue(atomicQueue),
        () => deleteQueue(idempotentQueue),
        () => redis?.quit(),
      ),
    TEARDOWN_TIMEOUT_MS,
  );

  it('sends 1000 mixed tasks in one request; every one reaches SUCCESS with its result', async () => {
    const tasks = mixedTasks(1000);
    const response = await batch({ tasks: tasks.map((t) => t.body) }).expect(
      202,
    );
    const results = (response.body as { results: BatchResult[] }).results;
    expect(results).toHaveLength(1000);
    results.forEach((result, index) => {
      expect(result).toEqual({
        index,
        task_id: expect.stringMatching(UUID),
        status_url: `/v1/tasks/${result.task_id}`,
      });
    });
    const ids = results.map((result) => result.task_id as string);
    expect(new Set(ids).size).toBe(1000);

    const repository = api.get(ResultRepository);
    const metas = await pollUntil(
      () => repository.getManyTaskMeta(ids),
      (all) => all.every((meta) => meta?.status === 'SUCCESS'),
      { timeoutMs: 60_000, intervalMs: 200 },
    );
    expect(metas.map((meta) => meta?.status)).toEqual(ids.map(() => 'SUCCESS'));
    expect(metas.map((meta) => meta?.result)).toEqual(
      tasks.map((t) => t.expected),
    );
  }, 90_000);

  it('reports refused items one by one (207) and publishes only the others', async () => {
    const response = await batch({
      tasks: [
        { task: 'sum_task', args: [[1, 2]], queue: idle },
        { task: 'sum_task', countdown: -1, queue: idle },
        { task: 'not_a_registered_task', queue: idle },
        7,
        { task: 'sum_task', args: [[3]], queue: idle, colour: 'red' },
        { task: 'multi_task', args: [2, 3], queue: idle },
      ],
    }).expect(207);
    const results = (response.body as { results: BatchResult[] }).results;
    expect(results).toEqual([
      {
        index: 0,
        task_id: expect.stringMatching(UUID),
        status_url: expect.any(String),
      },
      {
        index: 1,
        error: {
          status: 400,
          code: 'VALIDATION_FAILED',
          detail: 'The task has invalid fields.',
          errors: [
            {
              field: 'countdown',
              message: 'countdown must not be less than 0',
            },
          ],
        },
      },
      {
        index: 2,
        error: {
          status: 422,
          code: 'TASK_NOT_REGISTERED',
          detail: expect.stringContaining('not_a_registered_task'),
        },
      },
      {
        index: 3,
        error: expect.objectContaining({
          status: 400,
          code: 'VALIDATION_FAILED',
        }),
      },
      {
        index: 4,
        error: expect.objectContaining({
          status: 400,
          code: 'VALIDATION_FAILED',
          errors: [
            { field: 'colour', message: 'property colour should not exist' },
          ],
        }),
      },
      {
        index: 5,
        task_id: expect.stringMatching(UUID),
        status_url: expect.any(String),
      },
    ]);
    expect(await messagesIn(idle)).toBe(2);
    // Each sent task is PENDING, waiting in its queue.
    const metas = await api
      .get(ResultRepository)
      .getManyTaskMeta([results[0].task_id!, results[5].task_id!]);
    expect(metas.map((meta) => meta?.status)).toEqual(['PENDING', 'PENDING']);
  });

  it('with atomic: true refuses the whole batch (422) and sends and marks nothing', async () => {
    const pendingBefore = await pendingKeys(redis);
    const response = await batch({
      atomic: true,
      tasks: [
        { task: 'sum_task', args: [[1]], queue: atomicQueue },
        { task: 'sum_task', args: [[2]], queue: atomicQueue, priority: 256 },
        { task: 'sum_task', args: [[3]], queue: atomicQueue },
      ],
    }).expect(422);
    expect(response.headers['content-type']).toMatch(
      /^application\/problem\+json/,
    );
    expect(response.body).toMatchObject({
      status: 422,
      code: 'BATCH_REJECTED',
      detail: '1 of 3 tasks refused; with atomic: true nothing was sent.',
      errors: [
        {
          field: 'tasks[1].priority',
          message: 'priority must not be greater than 255',
        },
      ],
    });
    expect(await messagesIn(atomicQueue)).toBe(0);
    expect(await pendingKeys(redis)).toEqual(pendingBefore);
  });

  it('answers an atomic batch of good tasks like any other: 202, all sent', async () => {
    const response = await batch({
      atomic: true,
      tasks: [
        { task: 'sum_task', args: [[4]], queue: atomicQueue },
        { task: 'sum_task', args: [[5]], queue: atomicQueue },
      ],
    }).expect(202);
    expect((response.body as { results: BatchResult[] }).results).toHaveLength(
      2,
    );
    expect(await messagesIn(atomicQueue)).toBe(2);
  });

  it('sends a batch once per Idempotency-Key and replays its answer, 207 included', async () => {
    const body = {
      tasks: [
        { task: 'sum_task', args: [[1]], queue: idempotentQueue },
        { task: 'sum_task', countdown: -1, queue: idempotentQueue },
      ],
    };
    const key = `batch-${run}`;
    const first = await batch(body).set('Idempotency-Key', key).expect(207);
    const again = await batch(body).set('Idempotency-Key', key).expect(207);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body).toEqual(first.body);
    expect(await messagesIn(idempotentQueue)).toBe(1);
  });

  it('refuses a batch over 1000 tasks with 413 before sending any', async () => {
    const tasks = Array.from({ length: 1001 }, () => ({
      task: 'sum_task',
      args: [[1]],
      queue: idle,
    }));
    const response = await batch({ tasks }).expect(413);
    expect(response.body).toMatchObject({ code: 'BATCH_TOO_LARGE' });
    expect(await messagesIn(idle)).toBe(2);
  });
});

/** The ids whose stored state is PENDING in this file's Redis database. */
async function pendingKeys(redis: Redis): Promise<string[]> {
  const keys = await redis.keys('celery-task-meta-*');
  if (keys.length === 0) {
    return [];
  }
  const values = await redis.mget(keys);
  return keys.filter((_, i) => values[i]?.includes('"PENDING"')).sort();
}

/** Messages waiting in `name`; 0 when nobody declared it. */
async function messagesIn(name: string): Promise<number> {
  const connection = await connect(TEST_BROKER_URL);
  try {
    const channel = await connection.createChannel();
    channel.on('error', () => undefined);
    try {
      return (await channel.checkQueue(name)).messageCount;
    } catch {
      return 0;
    }
  } finally {
    await connection.close();
  }
}
