import type { INestApplication } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { TaskProducer } from '@celeriac/tasks';
import { bootApi, bootWorker, useEnvironment } from '../utils/boot-apps';
import { connect } from 'amqplib';
import { deleteQueue, TEST_BROKER_URL } from '../utils/rabbitmq';
import { awaitResult } from '../utils/await-result';
import { pollUntil } from '../utils/poll-until';
import {
  BOOT_TIMEOUT_MS,
  TEARDOWN_TIMEOUT_MS,
  teardown,
} from '../utils/teardown';

const queue = `test-seed-${randomUUID()}`;
useEnvironment({
  TASK_DEFAULT_QUEUE: queue,
  WORKER_QUEUES: queue,
  WORKER_CONCURRENCY: '2',
  // add_task takes 2 s: long enough to see it running, short for a test.
  TASK_TIME_SCALE: '0.1',
  RESULT_EXPIRES: '300',
});

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('the seed README, walked against the real api and worker', () => {
  let api: INestApplication;
  let worker: INestApplication;
  const http = () => request(api.getHttpServer());
  const finished = (path: string) => awaitResult(api, path);

  beforeAll(async () => {
    api = await bootApi();
    worker = await bootWorker();
  }, BOOT_TIMEOUT_MS);

  afterAll(
    () =>
      teardown(
        () => worker?.close(),
        () => api?.close(),
        () => deleteQueue(queue),
      ),
    TEARDOWN_TIMEOUT_MS,
  );

  it('answers the status check', async () => {
    const response = await http().get('/').expect(200);
    expect(response.body).toEqual({
      message: 'celeriac api is running',
      status: 'ok',
    });
  });

  it('runs /solo/add: 202 while add_task runs, then 200 with a + b', async () => {
    const published = await http().get('/solo/add?a=2&b=3').expect(200);
    expect(published.body).toEqual({
      message: 'celeriac : a=2, b=3 Published to the queue',
      task_id: expect.stringMatching(UUID),
    });
    const path = `/result/${published.body.task_id}`;

    const running = await http().get(path).expect(202);
    expect(['PENDING', 'STARTED', 'PROGRESS']).toContain(running.body.status);
    expect(running.body).toMatchObject({
      task_id: published.body.task_id,
      result: null,
    });

    const progressing = await pollUntil(
      () => http().get(path),
      (response) => response.body.status === 'PROGRESS',
    );
    expect(progressing.status).toBe(202);
    expect(progressing.body.progress).toEqual({
      current: expect.any(Number),
      total: 20,
    });

    const done = await finished(path);
    expect(done.status).toBe(200);
    expect(done.body).toEqual({
      task_id: published.body.task_id,
      status: 'SUCCESS',
      result: 5,
    });
  });

  it('picks random operands from 1 to 100 when none are given', async () => {
    const published = await http().get('/solo/add').expect(200);
    const match = /a=(\d+), b=(\d+) Published/.exec(published.body.message);
    expect(match).not.toBeNull();
    const [a, b] = [Number(match?.[1]), Number(match?.[2])];
    for (const operand of [a, b]) {
      expect(operand).toBeGreaterThanOrEqual(1);
      expect(operand).toBeLessThanOrEqual(100);
    }
    const done = await finished(`/result/${published.body.task_id}`);
    expect(done.body.result).toBe(a + b);
  });

  it('runs /solo/chain?a=3&b=4 to [21, 28]', async () => {
    const published = await http().get('/solo/chain?a=3&b=4').expect(200);
    expect(published.body).toEqual({
      message: 'Chain task result',
      task_id: expect.stringMatching(UUID),
      status_code: 200,
    });
    expect((await http().get(`/result/${published.body.task_id}`)).status).toBe(
      202,
    );
    const done = await finished(`/result/${published.body.task_id}`);
    expect(done.status).toBe(200);
    expect(done.body).toEqual({
      task_id: published.body.task_id,
      status: 'SUCCESS',
      result: [21, 28],
    });
  });

  it('runs /solo/group?a=20&b=76 to [96, 1520], 202 before', async () => {
    const published = await http().get('/solo/group?a=20&b=76').expect(200);
    const groupId: string = published.body.group_id;
    expect(published.body).toEqual({
      message: 'Group task submitted : a = 20, b = 76',
      group_id: expect.stringMatching(UUID),
      individual_tasks: [
        expect.stringMatching(UUID),
        expect.stringMatching(UUID),
      ],
      check_result_url: `/result/group/${groupId}`,
    });

    const before = await http().get(published.body.check_result_url);
    expect(before.status).toBe(202);
    expect(before.body).toMatchObject({
      group_id: groupId,
      ready: false,
      total: 2,
    });

    const done = await finished(published.body.check_result_url);
    expect(done.status).toBe(200);
    expect(done.body).toEqual({
      group_id: groupId,
      ready: true,
      successful: true,
      completed: 2,
      total: 2,
      results: [
        {
          task_id: published.body.individual_tasks[0],
          status: 'SUCCESS',
          result: 96,
        },
        {
          task_id: published.body.individual_tasks[1],
          status: 'SUCCESS',
          result: 1520,
        },
      ],
    });
    const member = await http()
      .get(`/result/${published.body.individual_tasks[1]}`)
      .expect(200);
    expect(member.body.result).toBe(1520);
  });

  it('reports a failed task as 200 FAILURE with the error and traceback', async () => {
    const { taskId } = await api
      .get(TaskProducer)
      .sendTask('add_task', { args: ['two', 3] });
    const done = await finished(`/result/${taskId}`);
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({
      task_id: taskId,
      status: 'FAILURE',
      result: null,
      error: {
        type: 'TypeError',
        message: expect.stringContaining('add_task'),
      },
    });
    expect(done.body.traceback).toContain('TypeError');
  });

  it('answers 404 with a problem body for an id nobody issued', async () => {
    const response = await http().get(`/result/${randomUUID()}`).expect(404);
    expect(response.headers['content-type']).toContain(
      'application/problem+json',
    );
    expect(response.body).toMatchObject({ status: 404, code: 'NOT_FOUND' });
    await http().get(`/result/group/${randomUUID()}`).expect(404);
  });

  it.each([
    ['a 300-character id', 'x'.repeat(300)],
    ['a NUL byte', '%00'],
    ['an undecodable escape', '%E0%A4%A'],
    ['invalid UTF-8', '%ff%fe'],
    ['a path traversal', '..%2F..%2Fetc%2Fpasswd'],
    ['markup', '%3Cscript%3Ealert(1)%3C%2Fscript%3E'],
    ['a snowman', '%E2%98%83'],
    ['spaces', 'a%20b'],
    ['a Redis glob', '*'],
    ['a key of another prefix', 'celery-task-meta-x'],
  ])('answers %s with a 4xx, never a 5xx', async (_name, id) => {
    for (const path of [`/result/${id}`, `/result/group/${id}`]) {
      const response = await http().get(path);
      expect(response.status).toBeGreaterThanOrEqual(400);
      expect(response.status).toBeLessThan(500);
      expect(response.headers['content-type']).toContain(
        'application/problem+json',
      );
    }
  });

  it('answers a 100 000-character URL with a 4xx (Node refuses it before the app)', async () => {
    const response = await http().get(`/result/${'y'.repeat(100_000)}`);
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(response.status).toBeLessThan(500);
  });

  it('refuses operands that are not integers with field errors', async () => {
    const response = await http().get('/solo/add?a=x&b=1.5').expect(400);
    expect(response.body).toMatchObject({
      status: 400,
      code: 'VALIDATION_FAILED',
      errors: [
        { field: 'a', message: expect.any(String) },
        { field: 'b', message: expect.any(String) },
      ],
    });
  });

  it('serves Swagger UI at /docs and the six seed endpoints at /docs-json', async () => {
    const ui = await http().get('/docs').expect(200);
    expect(ui.text).toContain('swagger-ui');
    const document = (await http().get('/docs-json').expect(200)).body;
    const codes = (path: string) =>
      Object.keys(document.paths[path].get.responses);
    expect(codes('/')).toEqual(expect.arrayContaining(['200']));
    for (const path of ['/solo/add', '/solo/chain', '/solo/group']) {
      expect(codes(path)).toEqual(
        expect.arrayContaining(['200', '400', '500']),
      );
    }
    for (const path of ['/result/{task_id}', '/result/group/{group_id}']) {
      expect(codes(path)).toEqual(
        expect.arrayContaining(['200', '202', '400', '404', '500']),
      );
    }
  });

  it("declares the queue as Celery does, so Celery's own declaration is accepted", async () => {
    // RabbitMQ closes the channel with 406 when a redeclaration differs.
    const connection = await connect(TEST_BROKER_URL);
    try {
      const channel = await connection.createChannel();
      await channel.assertExchange(queue, 'direct', {
        durable: true,
        autoDelete: false,
      });
      const declared = await channel.assertQueue(queue, {
        durable: true,
        autoDelete: false,
        exclusive: false,
      });
      expect(declared.consumerCount).toBe(1);
      await channel.close();
    } finally {
      await connection.close();
    }
  });

  it('is live and ready with RabbitMQ and Redis up', async () => {
    await http().get('/health/live').expect(200);
    const ready = await http().get('/health/ready').expect(200);
    expect(ready.body.info).toEqual({
      rabbitmq: { status: 'up' },
      redis: { status: 'up' },
    });
  });
});
