import {
  Controller,
  HttpCode,
  type INestApplication,
  Module,
  Post,
} from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import { type Channel, type ChannelModel, connect } from 'amqplib';
import { Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { taskMetaKey } from '@celeriac/results';
import { TaskProducer, TaskSystemModule } from '@celeriac/tasks';
import {
  callerScope,
  idempotencyRecordKey,
  IdempotencyModule,
  Idempotent,
} from '../../apps/api/src/idempotency';
import { createApiHttpAdapter } from '../../apps/api/src/configure-api';
import { ProblemDetailsFilter } from '../../apps/api/src/problem/problem-details.filter';
import { initFastifyApp, useEnvironment } from '../utils/boot-apps';
import { pollUntil } from '../utils/poll-until';
import { deleteQueue, TEST_BROKER_URL } from '../utils/rabbitmq';
import { TEST_REDIS_URL } from '../utils/redis';
import {
  BOOT_TIMEOUT_MS,
  TEARDOWN_TIMEOUT_MS,
  teardown,
} from '../utils/teardown';

const queue = `test-idempotency-${randomUUID()}`;
// Before the test module below is declared: its config reads this.
useEnvironment({ TASK_DEFAULT_QUEUE: queue, RESULT_EXPIRES: '300' });

/** What the test route does on its next calls. */
const route = {
  calls: 0,
  failNext: false,
  /** While set, the handler waits for it before publishing. */
  hold: undefined as Promise<void> | undefined,
};

@Controller()
class ThingsController {
  constructor(private readonly producer: TaskProducer) {}

  @Post('/v1/things')
  @HttpCode(202)
  @Idempotent()
  async create(): Promise<{ task_id: string }> {
    route.calls++;
    if (route.failNext) {
      route.failNext = false;
      throw new Error('the broker went away');
    }
    await route.hold;
    const { taskId } = await this.producer.sendTask('add_task', {
      args: [1, 2],
      queue,
    });
    return { task_id: taskId };
  }
}

@Module({
  imports: [TaskSystemModule.forApp('api'), IdempotencyModule],
  controllers: [ThingsController],
  providers: [{ provide: APP_FILTER, useClass: ProblemDetailsFilter }],
})
class IdempotencyTestModule {}

const PATH = '/v1/things';

describe('Idempotency-Key on a POST that publishes', () => {
  let app: INestApplication;
  let redis: Redis;
  let amqp: ChannelModel;
  let channel: Channel;
  const recordKeys = new Set<string>();
  const taskIds = new Set<string>();

  /** POSTs to the test route, noting the Redis keys it may leave behind. */
  async function post({
    key,
    body = { a: 1, b: 2 },
    authorization,
  }: { key?: string; body?: object; authorization?: string } = {}) {
    const call = request(app.getHttpServer()).post(PATH).send(body);
    if (key !== undefined) {
      call.set('Idempotency-Key', key);
      recordKeys.add(recordKeyOf(key, authorization));
    }
    if (authorization !== undefined) {
      call.set('Authorization', authorization);
    }
    const response = await call;
    if (typeof response.body?.task_id === 'string') {
      taskIds.add(response.body.task_id);
    }
    return response;
  }

  const recordKeyOf = (key: string, authorization?: string) =>
    idempotencyRecordKey(
      { caller: callerScope(authorization), method: 'POST', path: PATH },
      key,
    );

  const published = async () => (await channel.checkQueue(queue)).messageCount;

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [IdempotencyTestModule],
    }).compile();
    app = moduleRef.createNestApplication(createApiHttpAdapter(), {
      logger: false,
    });
    await initFastifyApp(app);
    redis = new Redis(TEST_REDIS_URL);
    amqp = await connect(TEST_BROKER_URL);
    channel = await amqp.createChannel();
    // Declared as the producer declares it, so it can be counted before the
    // first publish.
    await channel.assertQueue(queue, { durable: true, autoDelete: false });
  }, BOOT_TIMEOUT_MS);

  beforeEach(async () => {
    await channel.purgeQueue(queue);
    Object.assign(route, { calls: 0, failNext: false, hold: undefined });
  });

  afterAll(
    () =>
      teardown(
        () => app?.close(),
        () => amqp?.close(),
        () => deleteQueue(queue),
        async () => {
          const keys = [
            ...recordKeys,
            ...[...taskIds].map((id) => taskMetaKey(id)),
          ];
          if (keys.length > 0) {
            await redis?.del(...keys);
          }
        },
        () => redis?.quit(),
      ),
    TEARDOWN_TIMEOUT_MS,
  );

  it('answers the same key twice with the same body and publishes once', async () => {
    const key = randomUUID();

    const first = await post({ key });
    const second = await post({ key });

    expect(first.status).toBe(202);
    expect(first.body).toEqual({ task_id: expect.any(String) });
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    expect(second.status).toBe(202);
    expect(second.body).toEqual(first.body);
    expect(second.headers['idempotent-replayed']).toBe('true');
    expect(route.calls).toBe(1);
    expect(await published()).toBe(1);
  });

  it('keeps the answer for 24 hours under a hashed key', async () => {
    const key = randomUUID();

    await post({ key });

    const recordKey = recordKeyOf(key);
    expect(recordKey).toMatch(/^celeriac-idempotency:[0-9a-f]{64}$/);
    const record = JSON.parse((await redis.get(recordKey)) ?? 'null');
    expect(record).toMatchObject({ state: 'done', status: 202 });
    const ttl = await redis.ttl(recordKey);
    expect(ttl).toBeGreaterThan(24 * 3600 - 60);
    expect(ttl).toBeLessThanOrEqual(24 * 3600);
  });

  it('publishes once per key: two keys, two messages', async () => {
    const first = await post({ key: randomUUID() });
    const second = await post({ key: randomUUID() });

    expect([first.status, second.status]).toEqual([202, 202]);
    expect(second.body.task_id).not.toBe(first.body.task_id);
    expect(second.headers['idempotent-replayed']).toBeUndefined();
    expect(await published()).toBe(2);
  });

  it('treats the same body in another key order as the same request', async () => {
    const key = randomUUID();

    const first = await post({ key, body: { a: 1, b: 2 } });
    const second = await post({ key, body: { b: 2, a: 1 } });

    expect(second.headers['idempotent-replayed']).toBe('true');
    expect(second.body).toEqual(first.body);
    expect(await published()).toBe(1);
  });

  it('refuses the same key with a different body: 422', async () => {
    const key = randomUUID();
    await post({ key, body: { a: 1, b: 2 } });

    const reused = await post({ key, body: { a: 1, b: 3 } });

    expect(reused.status).toBe(422);
    expect(reused.headers['content-type']).toMatch(
      /application\/problem\+json/,
    );
    expect(reused.body).toMatchObject({
      status: 422,
      code: 'IDEMPOTENCY_KEY_REUSED',
      detail: 'Idempotency-Key reused with a different request.',
    });
    expect(route.calls).toBe(1);
    expect(await published()).toBe(1);
  });

  it('answers 409 while the first request with the key is still running', async () => {
    const key = randomUUID();
    let release = () => {};
    route.hold = new Promise<void>((resolve) => (release = resolve));

    const first = post({ key });
    const pending = await pollUntil(
      () => redis.get(recordKeyOf(key)),
      (record) => record !== null,
    );
    expect(JSON.parse(pending ?? 'null')).toMatchObject({ state: 'pending' });
    expect(await redis.ttl(recordKeyOf(key))).toBeLessThanOrEqual(60);
    const concurrent = await post({ key });
    release();

    expect(concurrent.status).toBe(409);
    expect(concurrent.body).toMatchObject({
      status: 409,
      code: 'IDEMPOTENCY_REQUEST_IN_PROGRESS',
    });
    expect((await first).status).toBe(202);
    expect(route.calls).toBe(1);
    expect(await published()).toBe(1);
  });

  it('lets a retry with the key run after the handler threw', async () => {
    const key = randomUUID();
    route.failNext = true;

    const failed = await post({ key });
    expect(failed.status).toBe(500);
    expect(await redis.exists(recordKeyOf(key))).toBe(0);

    const retried = await post({ key });
    const replayed = await post({ key });

    expect(retried.status).toBe(202);
    expect(retried.headers['idempotent-replayed']).toBeUndefined();
    expect(replayed.headers['idempotent-replayed']).toBe('true');
    expect(replayed.body).toEqual(retried.body);
    expect(route.calls).toBe(2);
    expect(await published()).toBe(1);
  });

  it.each([
    ['longer than 255 characters', 'k'.repeat(256)],
    ['not ASCII', 'clé'],
    ['empty', ''],
  ])('refuses a key %s: 400, nothing published', async (_, key) => {
    const response = await post({ key });

    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({
      status: 400,
      code: 'IDEMPOTENCY_KEY_INVALID',
    });
    expect(route.calls).toBe(0);
    expect(await published()).toBe(0);
  });

  it('publishes on every call without a key', async () => {
    const first = await post();
    const second = await post();

    expect([first.status, second.status]).toEqual([202, 202]);
    expect(second.body.task_id).not.toBe(first.body.task_id);
    expect(await published()).toBe(2);
  });

  it('scopes the key by caller: another Authorization runs again', async () => {
    const key = randomUUID();

    const alice = await post({ key, authorization: 'Bearer alice' });
    const bob = await post({ key, authorization: 'Bearer bob' });
    const aliceAgain = await post({ key, authorization: 'Bearer alice' });

    expect(bob.body.task_id).not.toBe(alice.body.task_id);
    expect(bob.headers['idempotent-replayed']).toBeUndefined();
    expect(aliceAgain.body).toEqual(alice.body);
    expect(aliceAgain.headers['idempotent-replayed']).toBe('true');
    expect(await published()).toBe(2);
  });
});
