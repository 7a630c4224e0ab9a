// Python Celery's app.control drives a celeriac PidboxConsumer: the real
// client declares the exchanges, publishes the requests and collects the
// replies, so nothing on its side is assumed.
import {
  type AmqpConnectionManager,
  connect as connectManager,
} from 'amqp-connection-manager';
import {
  type Channel,
  type ChannelModel,
  type ConsumeMessage,
  connect,
} from 'amqplib';
import { randomUUID } from 'node:crypto';
import {
  type ControlHandler,
  PIDBOX_EXCHANGE,
  PidboxConsumer,
} from '@celeriac/broker';
import { pollUntil } from '../utils/poll-until';
import { deleteQueue, TEST_BROKER_URL } from '../utils/rabbitmq';
import { type PythonEnv, runPython, startPythonWorker } from './utils/python';
import {
  BOOT_TIMEOUT_MS,
  TEARDOWN_TIMEOUT_MS,
  teardown,
} from '../utils/teardown';

const pythonEnv: PythonEnv = {
  INTEROP_QUEUE: `interop-pidbox-${randomUUID()}`,
};

/** What control.py prints: app.control's return value. */
interface ControlOutput {
  replies: Record<string, unknown>[] | null;
}

interface HandlerCall {
  method: string;
  args: Record<string, unknown>;
}

describe('PidboxConsumer driven by Python Celery app.control', () => {
  const hostname = `test-${randomUUID()}@host`;
  const calls: HandlerCall[] = [];
  const handler: ControlHandler = (method, args) => {
    calls.push({ method, args });
    switch (method) {
      case 'ping':
        return Promise.resolve({ ok: 'pong' });
      case 'revoke':
        return Promise.resolve({
          ok: `tasks ${[args.task_id].flat().join(', ')} flagged as revoked`,
        });
      case 'explode':
        return Promise.reject(new Error('boom'));
      default:
        return Promise.resolve(undefined);
    }
  };
  let manager: AmqpConnectionManager;
  let sut: PidboxConsumer;
  // A second queue on celery.pidbox sees what Python really publishes.
  let tap: ChannelModel;
  const tapped: ConsumeMessage[] = [];

  const control = (command: string, params: Record<string, unknown>) =>
    runPython<ControlOutput>(command, params, pythonEnv, {
      script: 'control.py',
    });
  const tappedFor = (method: string) =>
    tapped.filter((message) => {
      const body = JSON.parse(message.content.toString('utf8')) as {
        method: string;
        destination: string[] | null;
      };
      return (
        body.method === method && (body.destination ?? []).includes(hostname)
      );
    });

  beforeAll(async () => {
    manager = connectManager([TEST_BROKER_URL]);
    sut = new PidboxConsumer(manager, { hostname, handler });
    await sut.start();
    tap = await connect(TEST_BROKER_URL);
    const channel: Channel = await tap.createChannel();
    const { queue } = await channel.assertQueue('', {
      exclusive: true,
      autoDelete: true,
    });
    await channel.bindQueue(queue, PIDBOX_EXCHANGE, '');
    await channel.consume(queue, (message) => message && tapped.push(message), {
      noAck: true,
    });
  }, BOOT_TIMEOUT_MS);

  beforeEach(() => {
    calls.length = 0;
  });

  afterAll(
    () =>
      teardown(
        () => sut?.stop(),
        () => manager?.close(),
        () => tap?.close(),
      ),
    TEARDOWN_TIMEOUT_MS,
  );

  it("answers app.control.ping with [{hostname: {ok: 'pong'}}]", async () => {
    const output = await control('ping', {
      destination: [hostname],
      timeout: 5,
    });

    expect(output.replies).toEqual([{ [hostname]: { ok: 'pong' } }]);
    expect(calls).toEqual([{ method: 'ping', args: {} }]);
  });

  it('receives ping as Celery 5.2.6 sends it: the body keys, headers and properties', async () => {
    await control('ping', { destination: [hostname], timeout: 5 });

    const [request] = await pollUntil(
      () => Promise.resolve(tappedFor('ping')),
      (found) => found.length > 0,
    );
    const body = JSON.parse(request.content.toString('utf8')) as Record<
      string,
      unknown
    >;
    expect(Object.keys(body)).toEqual([
      'method',
      'arguments',
      'destination',
      'pattern',
      'matcher',
      'ticket',
      'reply_to',
    ]);
    expect(body).toEqual({
      method: 'ping',
      arguments: {},
      destination: [hostname],
      pattern: null,
      matcher: null,
      ticket: expect.any(String),
      reply_to: {
        exchange: 'reply.celery.pidbox',
        routing_key: expect.any(String),
      },
    });
    expect(request.properties).toMatchObject({
      contentType: 'application/json',
      contentEncoding: 'utf-8',
      headers: { clock: expect.any(Number), expires: expect.any(Number) },
    });
  });

  it("runs app.control.revoke with Celery's arguments and returns its reply", async () => {
    const taskId = randomUUID();

    const output = await control('revoke', {
      task_id: taskId,
      terminate: true,
      destination: [hostname],
      timeout: 5,
    });

    expect(output.replies).toEqual([
      { [hostname]: { ok: `tasks ${taskId} flagged as revoked` } },
    ]);
    expect(calls).toEqual([
      {
        method: 'revoke',
        args: { task_id: taskId, terminate: true, signal: 'SIGTERM' },
      },
    ]);
    const [request] = await pollUntil(
      () => Promise.resolve(tappedFor('revoke')),
      (found) => found.length > 0,
    );
    expect(JSON.parse(request.content.toString('utf8'))).toMatchObject({
      method: 'revoke',
      arguments: { task_id: taskId, terminate: true, signal: 'SIGTERM' },
    });
  });

  it('ignores a broadcast addressed to another node', async () => {
    const ignored = await control('broadcast', {
      command: 'ping',
      destination: [`other-${randomUUID()}@host`],
      reply: true,
      timeout: 1,
    });
    // The queue is FIFO: once this ping is answered, the broadcast before it
    // has been seen, and ignored.
    const answered = await control('ping', {
      destination: [hostname],
      timeout: 5,
    });

    expect(ignored.replies).toEqual([]);
    expect(answered.replies).toEqual([{ [hostname]: { ok: 'pong' } }]);
    expect(calls).toEqual([{ method: 'ping', args: {} }]);
  });

  it('sends no reply for a command the handler does not know', async () => {
    const output = await control('broadcast', {
      command: 'no_such_command',
      arguments: { x: 1 },
      destination: [hostname],
      reply: true,
      timeout: 1,
    });

    expect(output.replies).toEqual([]);
    const seen = await pollUntil(
      () => Promise.resolve([...calls]),
      (found) => found.length > 0,
    );
    expect(seen).toEqual([{ method: 'no_such_command', args: { x: 1 } }]);
  });

  it("answers a handler's failure with {error}", async () => {
    const output = await control('broadcast', {
      command: 'explode',
      destination: [hostname],
      reply: true,
      timeout: 5,
    });

    expect(output.replies).toEqual([{ [hostname]: { error: 'Error: boom' } }]);
  });

  it('runs a cast (no reply wanted) such as enable_events', async () => {
    const output = await control('broadcast', {
      command: 'enable_events',
      destination: [hostname],
    });

    expect(output.replies).toBeNull();
    const seen = await pollUntil(
      () => Promise.resolve([...calls]),
      (found) => found.length > 0,
    );
    expect(seen).toEqual([{ method: 'enable_events', args: {} }]);
  });

  it('answers a broadcast that selects it by glob pattern', async () => {
    const output = await control('broadcast', {
      command: 'ping',
      pattern: `${hostname.split('@')[0]}@*`,
      matcher: 'glob',
      reply: true,
      timeout: 2,
    });

    expect(output.replies).toEqual([{ [hostname]: { ok: 'pong' } }]);
  });

  it('shares celery.pidbox with a real Python worker: one ping reaches both', async () => {
    const queue = `interop-pidbox-worker-${randomUUID()}`;
    const worker = await startPythonWorker({ queue });
    try {
      const output = await control('ping', {
        destination: [hostname, worker.nodeName],
        timeout: 10,
      });

      const byNode = Object.assign({}, ...(output.replies ?? [])) as Record<
        string,
        unknown
      >;
      const pythonNode = Object.keys(byNode).find((node) =>
        node.startsWith(worker.nodeName.replace('%h', '')),
      );
      expect(Object.keys(byNode)).toHaveLength(2);
      expect(byNode[hostname]).toEqual({ ok: 'pong' });
      expect(pythonNode && byNode[pythonNode]).toEqual({ ok: 'pong' });
    } finally {
      await worker.stop();
      await deleteQueue(queue);
    }
  });
});
