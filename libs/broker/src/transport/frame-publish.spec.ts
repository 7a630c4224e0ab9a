import { randomUUID } from 'node:crypto';
import {
  type ChannelModel,
  type ConfirmChannel,
  connect,
  type GetMessage,
} from 'amqplib';
import { buildTaskMessage } from '../protocol/task-message.builder';
import {
  encodeTaskMessage,
  encodeTaskMessageUntyped,
} from '../protocol/task-message.codec';
import { CELERY_HEADERS, publishFramesOn } from './frame-publish';

// The real RabbitMQ, as amqp-write-coalescing.spec.ts uses it (a queue of
// its own): these pin the amqplib internals the publisher reaches into.
const BROKER_URL = 'amqp://guest:guest@127.0.0.1:5672';

describe(publishFramesOn.name, () => {
  let model: ChannelModel;
  let channel: ConfirmChannel;
  let queue: string;

  beforeEach(async () => {
    model = await connect(BROKER_URL);
    channel = await model.createConfirmChannel();
    queue = `frames-${randomUUID()}`;
    await channel.assertQueue(queue, { autoDelete: false, durable: false });
  });

  afterEach(async () => {
    const cleanup = await model.createChannel();
    await cleanup.deleteQueue(queue);
    await model.close();
  });

  function confirmed(
    publish: (callback: (error: Error | null) => void) => void,
  ) {
    return new Promise<void>((resolve, reject) =>
      publish((error) => (error ? reject(error) : resolve())),
    );
  }

  async function take(): Promise<GetMessage> {
    const message = await channel.get(queue, { noAck: true });
    if (message === false) {
      throw new Error(`nothing on ${queue}`);
    }
    return message;
  }

  it('delivers what amqplib would deliver, and resolves on the confirm', async () => {
    const message = buildTaskMessage({
      task: 'add',
      id: randomUUID(),
      args: [1, 2 ** 40, 'é'],
      kwargs: { x: null },
      priority: 3,
      maxRetries: 5,
    });
    const typed = encodeTaskMessage(message);
    await confirmed((done) =>
      channel.publish('', queue, typed.content, typed.options, done),
    );
    const viaAmqplib = await take();

    expect(publishFramesOn(channel)).toBe(true);
    const untyped = encodeTaskMessageUntyped(message);
    await confirmed((done) =>
      channel.publish(
        '',
        queue,
        untyped.content,
        { ...untyped.options, [CELERY_HEADERS]: true },
        done,
      ),
    );
    const viaFrames = await take();

    expect(viaFrames.content.toString()).toBe(viaAmqplib.content.toString());
    expect(viaFrames.properties).toEqual(viaAmqplib.properties);
    expect(viaFrames.properties.headers).toMatchObject({
      retries: 0,
      max_retries: 5,
    });
  });

  it('types the headers of what it leaves to amqplib', async () => {
    expect(publishFramesOn(channel)).toBe(true);
    const at = new Date(0);
    await confirmed((done) =>
      channel.publish(
        '',
        queue,
        Buffer.from('[]'),
        { headers: { at, retries: 1 }, [CELERY_HEADERS]: true },
        done,
      ),
    );
    // A Date goes through amqplib (an empty table); the integer was typed int.
    const { properties } = await take();
    expect(properties.headers).toEqual({ at: {}, retries: 1 });
  });

  it('throws as amqplib does once the channel is closed', async () => {
    expect(publishFramesOn(channel)).toBe(true);
    await channel.close();
    expect(() =>
      channel.publish('', queue, Buffer.from('[]'), {
        headers: {},
        [CELERY_HEADERS]: true,
      } as never),
    ).toThrow(/closed/i);
    channel = await model.createConfirmChannel();
  });
});
