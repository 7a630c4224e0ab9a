import {
  connect,
  type Channel,
  type ChannelModel,
  type GetMessage,
  type Options,
} from 'amqplib';
import { randomUUID } from 'node:crypto';
import {
  buildTaskMessage,
  CeleryClient,
  DEAD_LETTER_EXCHANGE,
  DEAD_LETTER_QUEUE,
  declareDeadLetter,
  encodeTaskMessage,
} from '@celeriac/broker';
import { DeadLetterWatch } from '../utils/dead-letters';
import { pollUntil } from '../utils/poll-until';
import { TEST_BROKER_URL } from '../utils/rabbitmq';
import {
  BOOT_TIMEOUT_MS,
  TEARDOWN_TIMEOUT_MS,
  teardown,
} from '../utils/teardown';

// The dead-letter queue is shared and durable: this suite reads copies from
// an exclusive queue of its own bound to the fanout exchange, and leaves
// the shared queue alone.
describe('CeleryClient.deadLetter against the real RabbitMQ', () => {
  let client: CeleryClient;
  let connection: ChannelModel;
  let channel: Channel;
  let source: string;
  let watch: string;
  const seen: GetMessage[] = [];

  /** Publishes to a queue and gets it back, so the properties are as received. */
  async function deliver(
    content: Buffer,
    options?: Options.Publish,
  ): Promise<GetMessage> {
    channel.sendToQueue(source, content, options);
    const message = await pollUntil(
      () => channel.get(source, { noAck: true }),
      (got) => got !== false,
    );
    if (message === false) {
      throw new Error(`nothing arrived in ${source}`);
    }
    return message;
  }

  /** The dead letter carrying `reason`, from this suite's watch queue. */
  async function deadLetterWith(reason: string): Promise<GetMessage> {
    const mine = (): GetMessage | undefined =>
      seen.find(
        (message) =>
          message.properties.headers?.['x-celeriac-reason'] === reason,
      );
    const found = await pollUntil(
      async () => {
        const message = await channel.get(watch, { noAck: true });
        if (message !== false) {
          seen.push(message);
        }
        return mine();
      },
      (message) => message !== undefined,
    );
    if (found === undefined) {
      throw new Error(`no dead letter with reason ${reason}`);
    }
    return found;
  }

  beforeAll(async () => {
    connection = await connect(TEST_BROKER_URL);
    channel = await connection.createChannel();
    await declareDeadLetter(channel);
    ({ queue: watch } = await channel.assertQueue('', { exclusive: true }));
    await channel.bindQueue(watch, DEAD_LETTER_EXCHANGE, '');
    ({ queue: source } = await channel.assertQueue(`test-${randomUUID()}`, {
      exclusive: true,
    }));
    client = new CeleryClient({ url: TEST_BROKER_URL });
  }, BOOT_TIMEOUT_MS);

  afterAll(
    () =>
      teardown(
        () => client?.close(),
        // Exclusive queues go with the connection.
        () => connection?.close(),
        // The shared queue got copies too: remove this suite's.
        async () => (await DeadLetterWatch.open()).close(source),
      ),
    TEARDOWN_TIMEOUT_MS,
  );

  it('dead-letters garbage without headers, bytes unchanged, with the reason', async () => {
    const garbage = Buffer.from([0xff, 0x00, 0x13, 0x37]);
    const reason = `test-${randomUUID()}`;
    const delivered = await deliver(garbage);

    const before = Date.now();
    await client.deadLetter({
      content: delivered.content,
      properties: delivered.properties,
      reason,
      queue: source,
    });
    const after = Date.now();

    const dead = await deadLetterWith(reason);
    expect(dead.content.equals(garbage)).toBe(true);
    expect(dead.fields.exchange).toBe(DEAD_LETTER_EXCHANGE);
    expect(dead.properties.deliveryMode).toBe(2);
    expect(dead.properties.headers).toEqual({
      'x-celeriac-reason': reason,
      'x-celeriac-queue': source,
      'x-celeriac-dead-lettered-at': expect.any(String),
    });
    const stamp = String(
      dead.properties.headers?.['x-celeriac-dead-lettered-at'],
    );
    expect(new Date(stamp).toISOString()).toBe(stamp);
    expect(Date.parse(stamp)).toBeGreaterThanOrEqual(before);
    expect(Date.parse(stamp)).toBeLessThanOrEqual(after);
  });

  it('dead-letters a Celery task message with its headers and properties kept', async () => {
    const id = randomUUID();
    const { content, options } = encodeTaskMessage(
      buildTaskMessage({
        task: 'add_task',
        id,
        args: [1, 2, 3],
        retries: 200,
        groupIndex: 500,
        timeLimit: 1200,
        softTimeLimit: 600,
        priority: 3,
        expires: new Date(Date.now() + 60 * 60 * 1000),
      }),
    );
    const reason = `test-${randomUUID()} add_task() takes 2 positional arguments but 3 were given`;
    const delivered = await deliver(content, options);

    await client.deadLetter({
      content: delivered.content,
      properties: delivered.properties,
      reason,
      queue: source,
      taskId: id,
      task: 'add_task',
    });

    const dead = await deadLetterWith(reason);
    expect(dead.content.equals(content)).toBe(true);
    expect(dead.properties).toMatchObject({
      contentType: 'application/json',
      contentEncoding: 'utf-8',
      correlationId: id,
      replyTo: options.replyTo,
      priority: 3,
      deliveryMode: 2,
    });
    // A dead letter must not expire from its queue; the TTL is kept aside.
    expect(dead.properties.expiration).toBeUndefined();
    expect(dead.properties.headers).toEqual({
      ...delivered.properties.headers,
      'x-celeriac-reason': reason,
      'x-celeriac-queue': source,
      'x-celeriac-dead-lettered-at': expect.any(String),
      'x-celeriac-original-expiration': delivered.properties.expiration,
    });
    expect(dead.properties.headers).toMatchObject({
      id,
      task: 'add_task',
      retries: 200,
      group_index: 500,
      timelimit: [1200, 600],
    });
  });

  it('declares the shared queue durable and without arguments, as Celery could', async () => {
    // Redeclaring with different arguments or type would close the channel
    // with 406 PRECONDITION_FAILED.
    const probe = await connection.createChannel();
    await expect(
      probe.assertExchange(DEAD_LETTER_EXCHANGE, 'fanout', { durable: true }),
    ).resolves.toBeDefined();
    await expect(
      probe.assertQueue(DEAD_LETTER_QUEUE, {
        durable: true,
        exclusive: false,
        autoDelete: false,
      }),
    ).resolves.toMatchObject({ queue: DEAD_LETTER_QUEUE });
    await probe.close();
  });
});
