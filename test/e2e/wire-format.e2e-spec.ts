import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import {
  connect,
  type Channel,
  type ChannelModel,
  type GetMessage,
} from 'amqplib';
import { Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import request from 'supertest';
import { buildTaskMessage, CeleryClient } from '@celeriac/broker';
import type { TaskProducer } from '@celeriac/tasks';
import { initFastifyApp } from '../utils/boot-apps';
import { pollUntil } from '../utils/poll-until';
import { TEST_BROKER_URL } from '../utils/rabbitmq';
import { TEST_REDIS_URL } from '../utils/redis';
import { swapIds } from '../utils/swap-ids.js';
import {
  readWireFixture,
  type CapturedMessage,
  type CapturedQueue,
} from '../utils/wire-fixtures.js';
import {
  BOOT_TIMEOUT_MS,
  TEARDOWN_TIMEOUT_MS,
  teardown,
} from '../utils/teardown';

// The config is validated when its module is first imported: set the
// environment first, and import everything that reaches it dynamically.
const queue = `test-wire-${randomUUID()}`;
const ENVIRONMENT = {
  TASK_DEFAULT_QUEUE: queue,
  RESULT_EXPIRES: '60',
  LOG_LEVEL: 'silent',
};
const savedEnvironment = Object.fromEntries(
  Object.keys(ENVIRONMENT).map((name) => [name, process.env[name]]),
);
Object.assign(process.env, ENVIRONMENT);

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ORIGIN = `gen${process.pid}@${hostname()}`;

const sendTaskCapture =
  readWireFixture<CapturedQueue>('msg-send_task.json').messages[0];
const chainCapture =
  readWireFixture<CapturedQueue>('msg-chain.json').messages[0];
const groupCaptures = readWireFixture<CapturedQueue>('msg-group.json').messages;
const savedGroupCapture = readWireFixture<
  Record<string, { value: { json: unknown } }>
>('redis-after-publish-no-worker.json');

interface WireView {
  exchange: string;
  redelivered: boolean;
  properties: Record<string, unknown>;
  headers: Record<string, unknown>;
  body: [unknown[], Record<string, unknown>, Record<string, unknown>];
}

/** What the capture holds of a message, routing key and counters aside. */
function capturedView(captured: CapturedMessage): WireView {
  const { headers, ...properties } = captured.properties;
  return {
    exchange: captured.fields.exchange,
    redelivered: captured.fields.redelivered,
    properties,
    headers,
    body: JSON.parse(captured.body_utf8) as WireView['body'],
  };
}

/** The same view of a message read off the queue. */
function receivedView(message: GetMessage): WireView {
  const { headers, ...properties } = message.properties;
  return {
    exchange: message.fields.exchange,
    redelivered: message.fields.redelivered,
    // amqplib reports absent properties as undefined; the capture omits them.
    properties: JSON.parse(JSON.stringify(properties)) as Record<
      string,
      unknown
    >,
    headers: headers ?? {},
    body: JSON.parse(message.content.toString('utf8')) as WireView['body'],
  };
}

/** The body as sent: the same keys in the same order as Celery's (only its ", " separators differ). */
function bodyText(message: GetMessage): string {
  return message.content.toString('utf8');
}

function header(captured: CapturedMessage, name: string): string {
  return captured.properties.headers[name] as string;
}

function chainTaskIds(view: WireView): string[] {
  const chain = (view.body[2].chain ?? []) as {
    options: { task_id: string };
  }[];
  return chain.map((step) => step.options.task_id);
}

/** Swaps the per-run values of the capture (reply_to, origin) for ours. */
function perRunSwaps(
  captured: CapturedMessage,
  received: WireView,
): Record<string, string> {
  return {
    [captured.properties.replyTo]: received.properties.replyTo as string,
    [header(captured, 'origin')]: received.headers.origin as string,
  };
}

describe('the wire format of what the api publishes', () => {
  let tasks: typeof import('../../libs/tasks/src/index.js');
  let app: INestApplication;
  let producer: TaskProducer;
  let amqp: ChannelModel;
  let channel: Channel;
  let redis: Redis;
  const publishedIds: string[] = [];
  const http = () => request(app.getHttpServer());

  /** Takes exactly `count` messages off the queue, in publishing order. */
  async function takeMessages(count: number): Promise<GetMessage[]> {
    const taken: GetMessage[] = [];
    await pollUntil(
      async () => {
        const message = await channel.get(queue, { noAck: true });
        if (message) {
          taken.push(message);
        }
        return taken.length;
      },
      (length) => length >= count,
    );
    expect(taken).toHaveLength(count);
    // Publishes are confirmed before the api answers: no more can come.
    expect(await channel.get(queue, { noAck: true })).toBe(false);
    return taken;
  }

  beforeAll(async () => {
    // The same module instance as '@celeriac/tasks' (the path it maps to).
    tasks = await import('../../libs/tasks/src/index.js');
    const { ApiModule } = await import('../../apps/api/src/api.module.js');
    const { configureApi, createApiHttpAdapter } =
      await import('../../apps/api/src/configure-api.js');
    const moduleRef = await Test.createTestingModule({
      imports: [ApiModule],
    }).compile();
    app = moduleRef.createNestApplication(createApiHttpAdapter(), {
      logger: false,
    });
    configureApi(app);
    await initFastifyApp(app);
    producer = app.get(tasks.TaskProducer);
    amqp = await connect(TEST_BROKER_URL);
    channel = await amqp.createChannel();
    redis = new Redis(TEST_REDIS_URL);
  }, BOOT_TIMEOUT_MS);

  afterAll(
    () =>
      teardown(
        () => channel?.deleteQueue(queue),
        () => channel?.deleteExchange(queue),
        () => amqp?.close(),
        async () => {
          if (publishedIds.length > 0) {
            await redis?.del(
              ...publishedIds.flatMap((id) => [
                `celery-task-meta-${id}`,
                `celery-taskset-meta-${id}`,
              ]),
            );
          }
        },
        () => redis?.quit(),
        () => app?.close(),
        () => {
          for (const [name, value] of Object.entries(savedEnvironment)) {
            if (value === undefined) {
              delete process.env[name];
            } else {
              process.env[name] = value;
            }
          }
        },
      ),
    TEARDOWN_TIMEOUT_MS,
  );

  describe('GET /solo/add?a=1&b=2', () => {
    it("equals Celery's send_task('add_task', args=[1, 2]), ids and times aside", async () => {
      const response = await http().get('/solo/add?a=1&b=2').expect(200);
      const taskId = response.body.task_id as string;
      publishedIds.push(taskId);

      const [message] = await takeMessages(1);

      const received = receivedView(message);
      expect(taskId).toMatch(UUID);
      expect(received.headers.id).toBe(taskId);
      expect(received.headers.root_id).toBe(taskId);
      expect(received.properties.correlationId).toBe(taskId);
      expect(received.properties.replyTo).toMatch(UUID);
      expect(received.headers.origin).toBe(ORIGIN);
      expect(message.fields.routingKey).toBe(queue);
      const expected = swapIds(capturedView(sendTaskCapture), {
        [header(sendTaskCapture, 'id')]: taskId,
        ...perRunSwaps(sendTaskCapture, received),
      });
      expect(received).toStrictEqual(expected);
      expect(bodyText(message)).toBe(JSON.stringify(expected.body));
    });
  });

  describe('chains', () => {
    it("equals Celery's (add_task.s(1, 2) | multi_task.s(10)).apply_async(), ids and times aside", async () => {
      const { taskId, taskIds } = await producer.applyChain([
        tasks.signature('add_task', [1, 2]),
        tasks.signature('multi_task', [10]),
      ]);
      publishedIds.push(...taskIds);

      const [message] = await takeMessages(1);

      const received = receivedView(message);
      const [firstId] = taskIds;
      expect(received.headers.id).toBe(firstId);
      expect(received.headers.root_id).toBe(firstId);
      expect(received.properties.correlationId).toBe(firstId);
      expect(chainTaskIds(received)).toEqual([taskId]);
      expect(received.properties.replyTo).toMatch(UUID);
      expect(received.headers.origin).toBe(ORIGIN);
      expect(message.fields.routingKey).toBe(queue);
      const expected = swapIds(capturedView(chainCapture), {
        [header(chainCapture, 'id')]: firstId,
        [chainTaskIds(capturedView(chainCapture))[0]]: taskId,
        ...perRunSwaps(chainCapture, received),
      });
      expect(received).toStrictEqual(expected);
      expect(bodyText(message)).toBe(JSON.stringify(expected.body));
    });

    it('GET /solo/chain?a=3&b=4 sends add_task(3, 4) carrying sum_multiply_task(3, 4)', async () => {
      const response = await http().get('/solo/chain?a=3&b=4').expect(200);
      const taskId = response.body.task_id as string;
      publishedIds.push(taskId);

      const [message] = await takeMessages(1);

      const received = receivedView(message);
      publishedIds.push(received.headers.id as string);
      expect(received.headers).toMatchObject({
        task: 'add_task',
        argsrepr: '(3, 4)',
      });
      expect(received.body[0]).toEqual([3, 4]);
      expect(received.body[2].chain).toEqual([
        {
          task: 'sum_multiply_task',
          args: [3, 4],
          kwargs: {},
          options: { task_id: taskId, reply_to: received.properties.replyTo },
          subtask_type: null,
          immutable: false,
        },
      ]);
    });
  });

  describe('groups', () => {
    it("equals Celery's group(add_task.s(1, 2), multi_task.s(3, 4)).apply_async(), ids and times aside", async () => {
      const { groupId, taskIds } = await producer.applyGroup([
        tasks.signature('add_task', [1, 2]),
        tasks.signature('multi_task', [3, 4]),
      ]);
      publishedIds.push(groupId, ...taskIds);

      const messages = await takeMessages(2);

      const received = messages.map(receivedView);
      expect(received.map((view) => view.headers.id)).toEqual(taskIds);
      received.forEach((view, index) => {
        const captured = groupCaptures[index];
        expect(view.headers.group).toBe(groupId);
        expect(view.properties.replyTo).toMatch(UUID);
        expect(view.headers.origin).toBe(ORIGIN);
        const expected = swapIds(capturedView(captured), {
          [header(captured, 'id')]: taskIds[index],
          [header(captured, 'group')]: groupId,
          ...perRunSwaps(captured, view),
        });
        expect(view).toStrictEqual(expected);
        expect(bodyText(messages[index])).toBe(JSON.stringify(expected.body));
      });
    });

    it('GET /solo/group?a=20&b=76 sends both members and saves the group as GroupResult.save() does', async () => {
      const response = await http().get('/solo/group?a=20&b=76').expect(200);
      const groupId = response.body.group_id as string;
      const children = response.body.individual_tasks as string[];
      publishedIds.push(groupId, ...children);

      const messages = await takeMessages(2);

      const received = messages.map(receivedView);
      expect(received.map((view) => view.headers.group)).toEqual([
        groupId,
        groupId,
      ]);
      expect(received.map((view) => view.headers.id)).toEqual(children);
      expect(received.map((view) => view.headers.task)).toEqual([
        'add_task',
        'multi_task',
      ]);
      expect(received.map((view) => view.body[0])).toEqual([
        [20, 76],
        [20, 76],
      ]);
      const key = `celery-taskset-meta-${groupId}`;
      const [capturedGroupId] = groupCaptures.map((captured) =>
        header(captured, 'group'),
      );
      const expected = swapIds(
        savedGroupCapture[`celery-taskset-meta-${capturedGroupId}`].value.json,
        {
          [capturedGroupId]: groupId,
          [header(groupCaptures[0], 'id')]: children[0],
          [header(groupCaptures[1], 'id')]: children[1],
        },
      );
      expect(JSON.parse((await redis.get(key)) ?? 'null')).toEqual(expected);
      const ttl = await redis.ttl(key);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(60);
    });
  });

  describe('integer headers', () => {
    it('come back from RabbitMQ as numbers', async () => {
      const id = randomUUID();
      publishedIds.push(id);
      await app.get(CeleryClient).publishTask(
        buildTaskMessage({
          task: 'add_task',
          id,
          args: [1, 2],
          groupId: randomUUID(),
          groupIndex: 500,
          retries: 200,
          timeLimit: 300,
          softTimeLimit: 240,
          priority: 0,
        }),
        queue,
      );

      const [message] = await takeMessages(1);

      expect(message.properties.headers).toMatchObject({
        retries: 200,
        group_index: 500,
        timelimit: [300, 240],
      });
      expect(typeof message.properties.headers?.retries).toBe('number');
    });
  });
});
