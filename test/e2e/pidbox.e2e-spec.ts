// The PidboxConsumer against the real RabbitMQ, driven with plain amqplib:
// the topology a Python worker would share, and the request/reply exchange
// kombu's Mailbox expects (the interop suite drives it with Python itself).
import {
  type AmqpConnectionManager,
  connect as connectManager,
} from 'amqp-connection-manager';
import {
  type Channel,
  type ChannelModel,
  type GetMessage,
  connect,
} from 'amqplib';
import { randomUUID } from 'node:crypto';
import {
  type ControlHandler,
  PIDBOX_EXCHANGE,
  PIDBOX_REPLY_EXCHANGE,
  PidboxConsumer,
  pidboxQueueName,
} from '@celeriac/broker';
import { pollUntil } from '../utils/poll-until';
import { TEST_BROKER_URL } from '../utils/rabbitmq';
import {
  BOOT_TIMEOUT_MS,
  TEARDOWN_TIMEOUT_MS,
  teardown,
} from '../utils/teardown';

/** The node queue as a Celery 5.2.6 worker declares it (rabbitmq-topology-with-worker.txt). */
const CELERY_NODE_QUEUE = {
  durable: false,
  autoDelete: true,
  exclusive: false,
  arguments: { 'x-message-ttl': 300000, 'x-expires': 10000 },
};

describe(PidboxConsumer.name, () => {
  const hostname = `test-${randomUUID()}@host`;
  const methods: string[] = [];
  const handler: ControlHandler = (method) => {
    methods.push(method);
    return Promise.resolve(method === 'ping' ? { ok: 'pong' } : undefined);
  };
  let manager: AmqpConnectionManager;
  let sut: PidboxConsumer;
  let amqp: ChannelModel;
  let channel: Channel;
  let replyQueue: string;
  const replyKey = randomUUID();

  /** Runs `probe` on a channel of its own: a failed declaration closes it. */
  const onOwnChannel = async <T>(
    probe: (own: Channel) => Promise<T>,
  ): Promise<T> => {
    const own = await amqp.createChannel();
    own.on('error', () => undefined);
    try {
      return await probe(own);
    } finally {
      await own.close().catch(() => undefined);
    }
  };
  const settles = (probe: (own: Channel) => Promise<unknown>) =>
    onOwnChannel(probe).then(
      () => 'ok',
      (error: Error) => error.message,
    );
  /** Publishes a request as kombu's Mailbox._publish does. */
  const publishRequest = (body: Record<string, unknown> | string) =>
    channel.publish(
      PIDBOX_EXCHANGE,
      '',
      Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)),
      {
        contentType: 'application/json',
        contentEncoding: 'utf-8',
        headers: { clock: 41, expires: 0 },
      },
    );
  const ping = (
    ticket: string,
    exchange = PIDBOX_REPLY_EXCHANGE,
    routingKey = replyKey,
  ) => ({
    method: 'ping',
    arguments: {},
    destination: [hostname],
    pattern: null,
    matcher: null,
    ticket,
    reply_to: { exchange, routing_key: routingKey },
  });
  const nextReply = async (): Promise<GetMessage> => {
    const reply = await pollUntil(
      () => channel.get(replyQueue, { noAck: true }),
      (message) => message !== false,
    );
    if (reply === false) {
      throw new Error('no reply arrived');
    }
    return reply;
  };

  beforeAll(async () => {
    manager = connectManager([TEST_BROKER_URL]);
    sut = new PidboxConsumer(manager, { hostname, handler });
    await sut.start();
    amqp = await connect(TEST_BROKER_URL);
    channel = await amqp.createChannel();
    // The client side of kombu's Mailbox: a reply queue bound by its oid.
    await channel.assertExchange(PIDBOX_REPLY_EXCHANGE, 'direct', {
      durable: false,
    });
    ({ queue: replyQueue } = await channel.assertQueue('', {
      exclusive: true,
    }));
    await channel.bindQueue(replyQueue, PIDBOX_REPLY_EXCHANGE, replyKey);
  }, BOOT_TIMEOUT_MS);

  beforeEach(() => {
    methods.length = 0;
  });

  afterAll(
    () =>
      teardown(
        () => sut?.stop(),
        () => manager?.close(),
        () => amqp?.close(),
      ),
    TEARDOWN_TIMEOUT_MS,
  );

  it('declares celery.pidbox as a Python worker does: fanout, not durable', async () => {
    expect(await settles((own) => own.checkExchange(PIDBOX_EXCHANGE))).toBe(
      'ok',
    );
    expect(
      await settles((own) =>
        own.assertExchange(PIDBOX_EXCHANGE, 'fanout', { durable: false }),
      ),
    ).toBe('ok');
    // The same check rejects other arguments, so the 'ok' above means equal.
    expect(
      await settles((own) =>
        own.assertExchange(PIDBOX_EXCHANGE, 'fanout', { durable: true }),
      ),
    ).toMatch(/PRECONDITION_FAILED/);
  });

  it("declares the node queue with Celery's arguments and consumes it", async () => {
    const queue = pidboxQueueName(hostname);

    expect(queue).toBe(`${hostname}.celery.pidbox`);
    expect(await onOwnChannel((own) => own.checkQueue(queue))).toMatchObject({
      queue,
      consumerCount: 1,
    });
    // From another connection: it would be locked (405) if exclusive.
    expect(
      await settles((own) => own.assertQueue(queue, CELERY_NODE_QUEUE)),
    ).toBe('ok');
    expect(
      await settles((own) =>
        own.assertQueue(queue, {
          ...CELERY_NODE_QUEUE,
          arguments: { ...CELERY_NODE_QUEUE.arguments, 'x-expires': 60000 },
        }),
      ),
    ).toMatch(/PRECONDITION_FAILED/);
  });

  it('answers a request on celery.pidbox as kombu collects it', async () => {
    const ticket = randomUUID();

    publishRequest(ping(ticket));

    const reply = await nextReply();
    expect(JSON.parse(reply.content.toString('utf8'))).toEqual({
      [hostname]: { ok: 'pong' },
    });
    expect(reply.fields).toMatchObject({
      exchange: PIDBOX_REPLY_EXCHANGE,
      routingKey: replyKey,
    });
    expect(reply.properties).toMatchObject({
      contentType: 'application/json',
      contentEncoding: 'utf-8',
      deliveryMode: 1,
      headers: { ticket },
    });
    // A Lamport clock: past the request's 41 after merging it.
    const headers = reply.properties.headers as { clock: unknown };
    expect(headers.clock).toEqual(expect.any(Number));
    expect(headers.clock as number).toBeGreaterThan(41);
  });

  it('declares a missing reply exchange, direct and not durable, before replying', async () => {
    const exchange = `test-reply-${randomUUID()}`;
    try {
      publishRequest(ping(randomUUID(), exchange));

      const declared = await pollUntil(
        () => settles((own) => own.checkExchange(exchange)),
        (outcome) => outcome === 'ok',
      );
      expect(declared).toBe('ok');
      expect(
        await settles((own) =>
          own.assertExchange(exchange, 'direct', { durable: false }),
        ),
      ).toBe('ok');
    } finally {
      await onOwnChannel((own) => own.deleteExchange(exchange));
    }
  });

  it('skips a message that is not a request and keeps consuming', async () => {
    publishRequest('not json');
    publishRequest({ arguments: {} });
    publishRequest(ping(randomUUID()));

    await nextReply();
    expect(methods).toEqual(['ping']);
  });

  /** Pings until one is answered, on a reply queue of its own. */
  const answersAgain = async (): Promise<boolean> => {
    const key = randomUUID();
    const { queue } = await channel.assertQueue('', { exclusive: true });
    await channel.bindQueue(queue, PIDBOX_REPLY_EXCHANGE, key);
    try {
      const reply = await pollUntil(
        () => {
          publishRequest(ping(randomUUID(), PIDBOX_REPLY_EXCHANGE, key));
          return channel.get(queue, { noAck: true });
        },
        (message) => message !== false,
        { intervalMs: 100 },
      );
      return reply !== false;
    } finally {
      await channel.deleteQueue(queue);
    }
  };

  it('survives a channel error on a reply without dropping the shared connection', async () => {
    const exchange = `test-reply-${randomUUID()}`;
    let disconnects = 0;
    const onDisconnect = () => {
      disconnects += 1;
    };
    manager.on('disconnect', onDisconnect);
    // A fanout where kombu declares a direct: the reply's declare fails (406).
    await onOwnChannel((own) =>
      own.assertExchange(exchange, 'fanout', { durable: false }),
    );
    try {
      publishRequest(ping(randomUUID(), exchange));

      expect(await answersAgain()).toBe(true);
      expect(disconnects).toBe(0);
    } finally {
      manager.off('disconnect', onDisconnect);
      await onOwnChannel((own) => own.deleteExchange(exchange));
    }
  });

  it('declares and consumes its queue again when the broker deletes it', async () => {
    await onOwnChannel((own) => own.deleteQueue(sut.queue));

    expect(await answersAgain()).toBe(true);
    expect(
      await onOwnChannel((own) => own.checkQueue(sut.queue)),
    ).toMatchObject({ consumerCount: 1 });
  });

  it('rejects start() when the node queue exists with other arguments', async () => {
    const taken = new PidboxConsumer(manager, {
      hostname: `test-${randomUUID()}@host`,
      handler,
    });
    await onOwnChannel((own) =>
      own.assertQueue(taken.queue, { durable: true }),
    );
    try {
      await expect(taken.start()).rejects.toThrow(/PRECONDITION_FAILED/);
    } finally {
      await onOwnChannel((own) => own.deleteQueue(taken.queue));
    }
  });

  it('stops consuming on stop(), and the broker drops its queue', async () => {
    const other = new PidboxConsumer(manager, {
      hostname: `test-${randomUUID()}@host`,
      handler,
    });
    await other.start();
    expect(
      await onOwnChannel((own) => own.checkQueue(other.queue)),
    ).toMatchObject({ consumerCount: 1 });

    await other.stop();

    const outcome = await pollUntil(
      () => settles((own) => own.checkQueue(other.queue)),
      (result) => result !== 'ok',
    );
    expect(outcome).toMatch(/NOT_FOUND/);
  });
});
