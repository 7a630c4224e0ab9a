import type { INestApplication } from '@nestjs/common';
import { type Channel, type ChannelModel, connect } from 'amqplib';
import { randomUUID } from 'node:crypto';
import {
  buildTaskMessage,
  encodeTaskMessage,
  type TaskMessageSpec,
} from '@celeriac/broker';
import { ResultRepository, type TaskMeta } from '@celeriac/results';
import { bootWorker, useEnvironment } from '../utils/boot-apps';
import { DeadLetterWatch } from '../utils/dead-letters';
import { pollUntil } from '../utils/poll-until';
import { deleteQueue, TEST_BROKER_URL } from '../utils/rabbitmq';
import {
  BOOT_TIMEOUT_MS,
  TEARDOWN_TIMEOUT_MS,
  teardown,
} from '../utils/teardown';

const queue = `test-rejects-${randomUUID()}`;
useEnvironment({
  TASK_DEFAULT_QUEUE: queue,
  WORKER_QUEUES: queue,
  TASK_TIME_SCALE: '0',
  RESULT_EXPIRES: '300',
});

describe('a worker given messages that can never run', () => {
  let worker: INestApplication;
  let results: ResultRepository;
  let connection: ChannelModel;
  let channel: Channel;
  let deadLetters: DeadLetterWatch;
  const reasonOf = async (id: string): Promise<unknown> => {
    const letter = await deadLetters.find(
      (candidate) => candidate.properties.headers?.id === id,
    );
    return letter?.properties.headers?.['x-celeriac-reason'];
  };

  const publishTask = (spec: TaskMessageSpec) => {
    const { content, options } = encodeTaskMessage(buildTaskMessage(spec));
    channel.publish('', queue, content, options);
  };
  const finalMeta = (taskId: string) =>
    pollUntil(
      () => results.getTaskMeta(taskId),
      (meta: TaskMeta | null) =>
        meta?.status === 'SUCCESS' || meta?.status === 'FAILURE',
    );

  beforeAll(async () => {
    worker = await bootWorker();
    results = worker.get(ResultRepository);
    connection = await connect(TEST_BROKER_URL);
    channel = await connection.createChannel();
    deadLetters = await DeadLetterWatch.open();
  }, BOOT_TIMEOUT_MS);

  afterAll(
    () =>
      teardown(
        () => worker?.close(),
        () => channel?.close(),
        () => connection?.close(),
        () => deadLetters?.close(queue),
        () => deleteQueue(queue),
      ),
    TEARDOWN_TIMEOUT_MS,
  );

  it('stores FAILURE NotRegistered for an unknown task name', async () => {
    const id = randomUUID();
    publishTask({ task: 'no_such_task', id, args: [1] });
    const meta = await finalMeta(id);
    expect(meta).toMatchObject({
      status: 'FAILURE',
      result: {
        exc_type: 'NotRegistered',
        exc_message: ['no_such_task'],
        exc_module: 'celery.exceptions',
      },
    });
    expect(await reasonOf(id)).toBe('NotRegistered: no_such_task');
  });

  it.each([
    [
      'too many arguments',
      [1, 2, 3],
      {},
      'takes 2 positional arguments but 3 were given',
    ],
    [
      'a missing argument',
      [1],
      {},
      "missing 1 required positional argument: 'b'",
    ],
    ['an unknown keyword', [1, 2], { c: 3 }, "unexpected keyword argument 'c'"],
  ])(
    'stores FAILURE TypeError for %s',
    async (_case, args, kwargs, message) => {
      const id = randomUUID();
      publishTask({ task: 'add_task', id, args, kwargs });
      const meta = await finalMeta(id);
      expect(meta?.status).toBe('FAILURE');
      expect(meta?.result).toMatchObject({ exc_type: 'TypeError' });
      expect(JSON.stringify(meta?.result)).toContain(message);
      expect(await reasonOf(id)).toContain(message);
    },
  );

  it('binds kwargs by name, as Python does', async () => {
    const id = randomUUID();
    publishTask({ task: 'add_task', id, kwargs: { a: 40, b: 2 } });
    expect(await finalMeta(id)).toMatchObject({
      status: 'SUCCESS',
      result: 42,
    });
  });

  it('stores FAILURE DecodeError for a body that is not JSON, when it has an id', async () => {
    const id = randomUUID();
    const { options } = encodeTaskMessage(
      buildTaskMessage({ task: 'add_task', id, args: [1, 2] }),
    );
    channel.publish('', queue, Buffer.from('{not json'), options);
    const meta = await finalMeta(id);
    expect(meta).toMatchObject({
      status: 'FAILURE',
      result: { exc_type: 'DecodeError', exc_module: 'kombu.exceptions' },
    });
    expect(await reasonOf(id)).toMatch(/^body is not valid JSON/);
  });

  it('dead-letters garbage, a pickle and a bare string with their reasons, then keeps serving', async () => {
    const garbage = Buffer.from([0xff, 0x00, 0x13, 0x37]);
    const garbageMarker = randomUUID();
    channel.publish('', queue, garbage, { messageId: garbageMarker });
    const pickleId = randomUUID();
    channel.publish('', queue, Buffer.from('\x80\x04K\x01.'), {
      contentType: 'application/x-python-serialize',
      headers: { task: 'add_task', id: pickleId },
    });
    const stringId = randomUUID();
    channel.publish('', queue, Buffer.from('"hello"'), {
      contentType: 'application/json',
      headers: { task: 'add_task', id: stringId },
    });

    const garbageLetter = await deadLetters.find(
      (letter) => letter.properties.messageId === garbageMarker,
    );
    expect(garbageLetter?.content).toEqual(garbage);
    expect(garbageLetter?.properties.headers?.['x-celeriac-reason']).toMatch(
      /not a Celery protocol v2 task message/,
    );
    expect(await reasonOf(pickleId)).toMatch(/unsupported content type/);
    expect(await reasonOf(stringId)).toMatch(/must be the JSON array/);

    const id = randomUUID();
    publishTask({ task: 'add_task', id, args: [20, 22] });
    expect(await finalMeta(id)).toMatchObject({
      status: 'SUCCESS',
      result: 42,
    });
  });

  it('leaves nothing in the queue: rejected messages are not requeued', async () => {
    // Closing the worker returns any unacked message to the queue.
    await worker.close();
    const { messageCount } = await channel.checkQueue(queue);
    expect(messageCount).toBe(0);
  });
});
