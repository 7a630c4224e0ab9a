import type { INestApplication } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { connect } from 'amqplib';
import { Redis } from 'ioredis';
import request, { type Response } from 'supertest';
import { bootApi, useEnvironment } from '../utils/boot-apps';
import { startOwnedRedis, type OwnedRedis } from '../utils/owned-redis';
import { pollUntil } from '../utils/poll-until';
import { brokerUrl, deleteQueue, TEST_BROKER_URL } from '../utils/rabbitmq';
import { startTcpProxy, type TcpProxy } from '../utils/tcp-proxy';
import {
  BOOT_TIMEOUT_MS,
  TEARDOWN_TIMEOUT_MS,
  teardown,
} from '../utils/teardown';

// A submit during an outage must answer within this (issue 14); the api
// waits 2 s for a publisher confirm, 1.5 s for a Redis reply.
const ANSWER_DEADLINE_MS = 3000;
const queue = `test-outage-${randomUUID()}`;

/**
 * Submits during RabbitMQ and Redis outages: a 503 problem naming the
 * dependency, with Retry-After, in at most 3 s; no PENDING mark and no
 * message left behind by a refused submit; and 202 again after recovery.
 * The api reaches RabbitMQ through a proxy and a Redis of its own through
 * another, both owned by this test, so it can cut them.
 */
describe('submits during an outage', () => {
  let redis: OwnedRedis | undefined;
  let brokerProxy: TcpProxy | undefined;
  let redisProxy: TcpProxy | undefined;
  let inspector: Redis | undefined;
  let api: INestApplication | undefined;
  /** Ids the api accepted (202/200): the only ones that may be stored or queued. */
  const accepted: string[] = [];

  beforeAll(async () => {
    redis = await startOwnedRedis();
    brokerProxy = await startTcpProxy(5672);
    redisProxy = await startTcpProxy(redis.port);
    // Reads the owned Redis directly, whatever the api's proxy does.
    inspector = new Redis(redis.url);
    useEnvironment({
      BROKER_URL: brokerUrl({ port: brokerProxy.port }),
      RESULT_BACKEND_URL: `redis://127.0.0.1:${redisProxy.port}/0`,
      TASK_DEFAULT_QUEUE: queue,
    });
    api = await bootApi();
  }, BOOT_TIMEOUT_MS);

  afterAll(
    () =>
      teardown(
        () => brokerProxy?.restore(),
        () => redisProxy?.restore(),
        () => redis?.resume(),
        () => api?.close(),
        () => brokerProxy?.close(),
        () => redisProxy?.close(),
        () => inspector?.disconnect(),
        () => redis?.stop(),
        () => deleteQueue(queue),
      ),
    TEARDOWN_TIMEOUT_MS,
  );

  const http = () => {
    if (!api) {
      throw new Error('the api did not boot');
    }
    return request(api.getHttpServer());
  };

  /** Sends one request and how long its answer took. */
  async function timed(
    send: () => request.Test,
  ): Promise<{ response: Response; ms: number }> {
    const started = Date.now();
    const response = await send().timeout(ANSWER_DEADLINE_MS * 3);
    return { response, ms: Date.now() - started };
  }

  const submitTask = () =>
    timed(() =>
      http()
        .post('/v1/tasks')
        .send({ task: 'add_task', args: [1, 2], queue }),
    );
  const soloAdd = () => timed(() => http().get('/solo/add?a=1&b=2'));
  const submitBatch = () =>
    timed(() =>
      http()
        .post('/v1/tasks/batch')
        .send({
          tasks: [1, 2, 3].map((a) => ({
            task: 'add_task',
            args: [a, 1],
            queue,
          })),
        }),
    );

  /** Every task id with a result key in the owned Redis. */
  async function storedIds(): Promise<string[]> {
    const keys = await inspector!.keys('celery-task-meta-*');
    return keys.map((key) => key.slice('celery-task-meta-'.length)).sort();
  }

  async function readiness(status: 200 | 503): Promise<void> {
    const ready = await pollUntil(
      () => http().get('/health/ready').timeout(ANSWER_DEADLINE_MS),
      (response) => response.status === status,
      { timeoutMs: 30_000, intervalMs: 200 },
    );
    expect(ready.status).toBe(status);
  }

  function expectUnavailable(
    { response, ms }: { response: Response; ms: number },
    code: 'BROKER_UNAVAILABLE' | 'RESULT_BACKEND_UNAVAILABLE',
    instance: string,
  ): void {
    expect(response.status).toBe(503);
    expect(response.headers['content-type']).toMatch(
      /^application\/problem\+json/,
    );
    expect(response.headers['retry-after']).toMatch(/^[1-9]\d*$/);
    expect(response.body).toEqual({
      type: 'about:blank',
      title: 'Service Unavailable',
      status: 503,
      detail: expect.stringMatching(/Retry later\.$/),
      instance,
      code,
    });
    expect(ms).toBeLessThanOrEqual(ANSWER_DEADLINE_MS);
  }

  /** Both submit routes answer, and their ids are PENDING. */
  async function expectAccepted(): Promise<void> {
    const task = await submitTask();
    expect(task.response.status).toBe(202);
    const solo = await soloAdd();
    expect(solo.response.status).toBe(200);
    const ids = [
      task.response.body.task_id as string,
      solo.response.body.task_id as string,
    ];
    accepted.push(...ids);
    for (const id of ids) {
      const meta = await inspector!.get(`celery-task-meta-${id}`);
      expect(JSON.parse(meta ?? 'null')).toMatchObject({ status: 'PENDING' });
    }
  }

  /** Nothing but accepted ids is stored. */
  async function expectNothingLeftBehind(): Promise<void> {
    expect(await storedIds()).toEqual([...accepted].sort());
  }

  it('accepts submits while RabbitMQ and Redis are up', async () => {
    await readiness(200);
    await expectAccepted();
    await expectNothingLeftBehind();
  });

  it('answers 503 BROKER_UNAVAILABLE in ≤ 3 s while RabbitMQ is cut, and 202 once it is back', async () => {
    brokerProxy!.cut();
    // Readiness and the submit agree that RabbitMQ is down.
    await readiness(503);
    expectUnavailable(await submitTask(), 'BROKER_UNAVAILABLE', '/v1/tasks');
    expectUnavailable(
      await soloAdd(),
      'BROKER_UNAVAILABLE',
      '/solo/add?a=1&b=2',
    );
    expectUnavailable(
      await submitBatch(),
      'BROKER_UNAVAILABLE',
      '/v1/tasks/batch',
    );
    await expectNothingLeftBehind();

    brokerProxy!.restore();
    await readiness(200);
    await expectAccepted();
    await expectNothingLeftBehind();
  }, 60_000);

  it('answers 503 BROKER_UNAVAILABLE in ≤ 3 s when RabbitMQ does not confirm, and takes back its PENDING mark', async () => {
    // The connection stays up, so the api marks PENDING and publishes; the
    // confirm never comes, and the mark must go again.
    brokerProxy!.stall();
    expectUnavailable(await submitTask(), 'BROKER_UNAVAILABLE', '/v1/tasks');
    await expectNothingLeftBehind();
    // A batch is one plan: every one of its marks goes again.
    expectUnavailable(
      await submitBatch(),
      'BROKER_UNAVAILABLE',
      '/v1/tasks/batch',
    );
    await expectNothingLeftBehind();

    // Dropping the stalled connection also drops the unconfirmed message.
    brokerProxy!.cut();
    brokerProxy!.restore();
    await readiness(200);
    await expectAccepted();
    await expectNothingLeftBehind();
  }, 60_000);

  it('answers 503 RESULT_BACKEND_UNAVAILABLE in ≤ 3 s while Redis is cut, and 202 once it is back', async () => {
    redisProxy!.cut();
    await readiness(503);
    expectUnavailable(
      await submitTask(),
      'RESULT_BACKEND_UNAVAILABLE',
      '/v1/tasks',
    );
    expectUnavailable(
      await soloAdd(),
      'RESULT_BACKEND_UNAVAILABLE',
      '/solo/add?a=1&b=2',
    );
    expectUnavailable(
      await submitBatch(),
      'RESULT_BACKEND_UNAVAILABLE',
      '/v1/tasks/batch',
    );
    // Reads, and the schedules (BullMQ on the same Redis), answer alike.
    const resultPath = `/result/${accepted[0]}`;
    expectUnavailable(
      await timed(() => http().get(resultPath)),
      'RESULT_BACKEND_UNAVAILABLE',
      resultPath,
    );
    expectUnavailable(
      await timed(() => http().get('/v1/schedules')),
      'RESULT_BACKEND_UNAVAILABLE',
      '/v1/schedules',
    );

    redisProxy!.restore();
    await readiness(200);
    const schedules = await pollUntil(
      () => http().get('/v1/schedules'),
      (response) => response.status === 200,
      { timeoutMs: 30_000, intervalMs: 200 },
    );
    expect(schedules.status).toBe(200);
    await expectNothingLeftBehind();
    await expectAccepted();
    await expectNothingLeftBehind();
  }, 60_000);

  it('answers 503 RESULT_BACKEND_UNAVAILABLE in ≤ 3 s while Redis hangs, and leaves no mark once it answers again', async () => {
    redis!.pause();
    try {
      expectUnavailable(
        await submitTask(),
        'RESULT_BACKEND_UNAVAILABLE',
        '/v1/tasks',
      );
    } finally {
      redis!.resume();
    }
    // The mark reached the hung Redis; the take-back sent after it on the
    // same connection removes it once Redis runs again.
    const stored = await pollUntil(
      storedIds,
      (ids) => ids.length === accepted.length,
      { timeoutMs: 10_000, intervalMs: 100 },
    );
    expect(stored).toEqual([...accepted].sort());
    await readiness(200);
    await expectAccepted();
    await expectNothingLeftBehind();
  }, 60_000);

  it('queued exactly the accepted submits', async () => {
    const connection = await connect(TEST_BROKER_URL);
    try {
      const channel = await connection.createChannel();
      const { messageCount } = await channel.checkQueue(queue);
      expect(messageCount).toBe(accepted.length);
      await channel.close();
    } finally {
      await connection.close();
    }
  });
});
