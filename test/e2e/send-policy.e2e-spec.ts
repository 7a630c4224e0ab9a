// Who may send what through the api: `?unchecked=true` only with a key that
// has the `unchecked` scope, and only queues API_QUEUES names. The real api
// against the real broker; no worker runs, so whatever was published stays
// in the queue and can be counted.
import { randomUUID } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import { connect } from 'amqplib';
import request from 'supertest';
import { bootApi, useEnvironment } from '../utils/boot-apps';
import { deleteQueue, TEST_BROKER_URL } from '../utils/rabbitmq';

const PREFIX = `send-policy-${randomUUID().slice(0, 8)}`;
const QUEUE = `${PREFIX}-tasks`;
const PLAIN_KEY = 'plain-key-0123456789abcdef';
const SCOPED_KEY = 'scoped-key-0123456789abcdef';
useEnvironment({
  API_KEYS: `${PLAIN_KEY},${SCOPED_KEY}:unchecked`,
  API_QUEUES: `${PREFIX}-*,default-sum`,
  TASK_DEFAULT_QUEUE: QUEUE,
});

describe('the send policy: unchecked scope and allowed queues', () => {
  let api: INestApplication;
  const post = (path: string, key: string, body: Record<string, unknown>) =>
    request(api.getHttpServer())
      .post(path)
      .set('Authorization', `Bearer ${key}`)
      .send(body);
  const depth = async (): Promise<number> => {
    const connection = await connect(TEST_BROKER_URL);
    try {
      const channel = await connection.createChannel();
      return (await channel.checkQueue(QUEUE)).messageCount;
    } finally {
      await connection.close();
    }
  };

  beforeAll(async () => {
    api = await bootApi();
  }, 90_000);

  afterAll(async () => {
    await api?.close();
    await deleteQueue(QUEUE).catch(() => undefined);
  });

  it('lets a key with the unchecked scope send a task no celeriac worker knows', async () => {
    await post('/v1/tasks?unchecked=true', SCOPED_KEY, {
      task: 'python_only_task',
      queue: QUEUE,
    }).expect(202);
    expect(await depth()).toBe(1);
  });

  it('refuses ?unchecked=true to a key without the scope, and publishes nothing', async () => {
    const response = await post('/v1/tasks?unchecked=true', PLAIN_KEY, {
      task: 'python_only_task',
      queue: QUEUE,
    }).expect(403);
    expect(response.body).toMatchObject({
      status: 403,
      code: 'FORBIDDEN',
      detail:
        'This API key may not send ?unchecked=true: list it as <key>:unchecked in API_KEYS.',
    });
    await post('/v1/workflows?unchecked=true', PLAIN_KEY, {
      chain: [{ task: 'python_only_task' }, { task: 'add_task', args: [1] }],
    }).expect(403);
    await post('/v1/schedules?unchecked=true', PLAIN_KEY, {
      name: `${PREFIX}-nightly`,
      task: 'python_only_task',
      every: 60,
    }).expect(403);
    expect(await depth()).toBe(1);
  });

  it('still lets the plain key send registered tasks to allowed queues', async () => {
    await post('/v1/tasks', PLAIN_KEY, {
      task: 'add_task',
      args: [1, 2],
      queue: QUEUE,
    }).expect(202);
    expect(await depth()).toBe(2);
  });

  it('refuses a queue API_QUEUES does not name, for any key, and publishes nothing', async () => {
    const response = await post('/v1/tasks?unchecked=true', SCOPED_KEY, {
      task: 'add_task',
      args: [1, 2],
      queue: 'somewhere-else',
    }).expect(422);
    expect(response.body).toMatchObject({
      status: 422,
      code: 'QUEUE_NOT_ALLOWED',
      detail: `Queue somewhere-else not served here; API_QUEUES allows ${PREFIX}-*, default-sum.`,
    });
    const workflow = await post('/v1/workflows', PLAIN_KEY, {
      group: [
        { task: 'add_task', args: [1, 2], options: { queue: QUEUE } },
        { task: 'multi_task', args: [3, 4], options: { queue: 'rogue-a' } },
        { task: 'multi_task', args: [5, 6], options: { queue: 'rogue-b' } },
      ],
    }).expect(422);
    expect(workflow.body.detail).toBe(
      `Queues rogue-a, rogue-b not served here; API_QUEUES allows ${PREFIX}-*, default-sum.`,
    );
    expect(await depth()).toBe(2);
  });

  it("checks a batch item by item: a refused queue or unchecked task is that item's error", async () => {
    const response = await post('/v1/tasks/batch', PLAIN_KEY, {
      tasks: [
        { task: 'add_task', args: [1, 2], queue: QUEUE },
        { task: 'add_task', args: [1, 2], queue: 'somewhere-else' },
        { task: 'python_only_task', queue: QUEUE },
      ],
    }).expect(207);
    expect(response.body.results).toEqual([
      { index: 0, task_id: expect.any(String), status_url: expect.any(String) },
      {
        index: 1,
        error: {
          status: 422,
          code: 'QUEUE_NOT_ALLOWED',
          detail: `Queue somewhere-else not served here; API_QUEUES allows ${PREFIX}-*, default-sum.`,
        },
      },
      {
        index: 2,
        error: expect.objectContaining({
          status: 422,
          code: 'TASK_NOT_REGISTERED',
        }),
      },
    ]);
    expect(await depth()).toBe(3);
  });

  it('refuses a batch with ?unchecked=true to a key without the scope, whole', async () => {
    await post('/v1/tasks/batch?unchecked=true', PLAIN_KEY, {
      tasks: [{ task: 'add_task', args: [1, 2], queue: QUEUE }],
    }).expect(403);
    await post('/v1/tasks/batch?unchecked=true', SCOPED_KEY, {
      tasks: [{ task: 'python_only_task', queue: QUEUE }],
    }).expect(202);
    expect(await depth()).toBe(4);
  });
});
