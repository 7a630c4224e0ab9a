import type { INestApplication } from '@nestjs/common';
import { execFile } from 'node:child_process';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import request, { type Response } from 'supertest';
import {
  bootApi,
  bootMonitor,
  bootWorker,
  useEnvironment,
} from '../utils/boot-apps';
import { awaitResult } from '../utils/await-result';
import {
  freePort,
  startOwnedRedis,
  type OwnedRedis,
} from '../utils/owned-redis';
import { pollUntil } from '../utils/poll-until';
import { brokerUrl, deleteQueue } from '../utils/rabbitmq';
import { startTcpProxy, type TcpProxy } from '../utils/tcp-proxy';
import {
  BOOT_TIMEOUT_MS,
  TEARDOWN_TIMEOUT_MS,
  teardown,
} from '../utils/teardown';

const run = promisify(execFile);

// Each /health/ready must answer well inside this, even while a dependency hangs.
const PROBE_DEADLINE_MS = 3000;
const queue = `test-readiness-${randomUUID()}`;

describe('readiness follows RabbitMQ and Redis, liveness stays up', () => {
  let redis: OwnedRedis;
  let proxy: TcpProxy;
  let api: INestApplication;
  let worker: INestApplication;
  let monitor: INestApplication;

  beforeAll(async () => {
    redis = await startOwnedRedis();
    proxy = await startTcpProxy(5672);
    useEnvironment({
      BROKER_URL: brokerUrl({ port: proxy.port }),
      RESULT_BACKEND_URL: redis.url,
      TASK_DEFAULT_QUEUE: queue,
      WORKER_QUEUES: queue,
      TASK_TIME_SCALE: '0',
    });
    api = await bootApi();
    worker = await bootWorker();
    monitor = await bootMonitor();
  }, BOOT_TIMEOUT_MS);

  afterAll(
    () =>
      teardown(
        () => proxy?.restore(),
        () => monitor?.close(),
        () => worker?.close(),
        () => api?.close(),
        () => proxy?.close(),
        () => redis?.stop(),
        () => deleteQueue(queue),
      ),
    TEARDOWN_TIMEOUT_MS,
  );

  const apps = () => ({ api, worker, monitor });

  /** GET with a deadline: a hanging probe fails the test instead of stalling it. */
  async function probe(app: INestApplication, path: string): Promise<Response> {
    const started = Date.now();
    const response = await request(app.getHttpServer())
      .get(path)
      .timeout(PROBE_DEADLINE_MS);
    expect(Date.now() - started).toBeLessThan(PROBE_DEADLINE_MS);
    return response;
  }

  async function expectLive(): Promise<void> {
    for (const app of Object.values(apps())) {
      expect((await probe(app, '/health/live')).status).toBe(200);
    }
  }

  type AppName = keyof ReturnType<typeof apps>;

  /** Polls every app's readiness until it is `status`, checking liveness on the way. */
  async function readinessBecomes(
    status: 200 | 503,
  ): Promise<Record<AppName, Response>> {
    const answers = {} as Record<AppName, Response>;
    for (const [name, app] of Object.entries(apps()) as [
      AppName,
      INestApplication,
    ][]) {
      answers[name] = await pollUntil(
        async () => {
          await expectLive();
          return probe(app, '/health/ready');
        },
        (response) => response.status === status,
        { timeoutMs: 20_000, intervalMs: 200 },
      );
      expect(answers[name].status).toBe(status);
    }
    return answers;
  }

  it('is ready with every dependency up', async () => {
    const { worker: ready } = await readinessBecomes(200);
    expect(ready.body.details).toMatchObject({
      rabbitmq_consumer: { status: 'up' },
      rabbitmq_publisher: { status: 'up' },
      redis: { status: 'up' },
    });
  });

  it('goes 503 while Redis is down, 200 when it is back', async () => {
    await redis.stop();
    const down = await readinessBecomes(503);
    expect(down.api.body).toEqual({
      type: 'about:blank',
      title: 'Service Unavailable',
      status: 503,
      detail: 'Not ready: redis is down.',
      instance: '/health/ready',
      code: 'NOT_READY',
      checks: { rabbitmq: { status: 'up' }, redis: { status: 'down' } },
    });
    expect(down.worker.body.details).toMatchObject({
      redis: { status: 'down' },
      rabbitmq_consumer: { status: 'up' },
    });
    expect(down.monitor.body).toMatchObject({
      status: 503,
      code: 'NOT_READY',
      detail: 'Not ready: redis is down.',
      checks: { rabbitmq: { status: 'up' }, redis: { status: 'down' } },
    });
    await expectLive();

    await redis.start();
    await readinessBecomes(200);
  }, 60_000);

  it('answers within its deadline while Redis hangs, 200 when it answers again', async () => {
    redis.pause();
    try {
      const down = await readinessBecomes(503);
      expect(down.worker.body.details).toMatchObject({
        redis: { status: 'down', message: expect.stringMatching(/timed out/) },
      });
      await expectLive();
    } finally {
      redis.resume();
    }
    await readinessBecomes(200);
  }, 60_000);

  it('goes 503 while RabbitMQ is cut, 200 when it is back, and still runs tasks', async () => {
    proxy.cut();
    const down = await readinessBecomes(503);
    expect(down.api.body).toMatchObject({
      status: 503,
      code: 'NOT_READY',
      detail: 'Not ready: rabbitmq is down.',
      checks: { rabbitmq: { status: 'down' }, redis: { status: 'up' } },
    });
    expect(down.monitor.body).toMatchObject({
      code: 'NOT_READY',
      detail: 'Not ready: rabbitmq is down.',
    });
    expect(down.worker.body.details).toMatchObject({
      rabbitmq_consumer: { status: 'down' },
      rabbitmq_publisher: { status: 'down' },
      redis: { status: 'up' },
    });
    await expectLive();

    proxy.restore();
    await readinessBecomes(200);

    const published = await probe(api, '/solo/add?a=1&b=2');
    expect(published.status).toBe(200);
    const done = await awaitResult(api, `/result/${published.body.task_id}`);
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({ status: 'SUCCESS', result: 3 });
  }, 60_000);

  it('has a container probe: exit 0 on a live /health/live, 1 on a closed port', async () => {
    const server: Server = api.getHttpServer();
    await new Promise<void>((resolve) =>
      server.listen(0, '127.0.0.1', resolve),
    );
    const { port } = server.address() as AddressInfo;
    const live = await run('node', [
      'scripts/healthcheck.mjs',
      `http://127.0.0.1:${port}/health/live`,
    ]);
    expect(live.stderr).toBe('');
    const closed = await freePort();
    await expect(
      run('node', ['scripts/healthcheck.mjs', `http://127.0.0.1:${closed}/`]),
    ).rejects.toMatchObject({ code: 1 });
  });
});
