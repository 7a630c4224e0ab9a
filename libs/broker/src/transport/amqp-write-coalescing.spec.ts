import { randomUUID } from 'node:crypto';
import { jest } from '@jest/globals';
import { Socket } from 'node:net';
import { type ChannelModel, connect } from 'amqplib';
import { amqpSocketOptions } from './amqp-socket';
import { coalesceAmqpWrites } from './amqp-write-coalescing';
import { CeleryClient } from './celery.client';

// The real RabbitMQ, as the e2e suites use it: these pin amqplib internals.
const BROKER_URL = 'amqp://guest:guest@127.0.0.1:5672';

interface WritableInternals {
  _write: (...args: unknown[]) => void;
  _writev?: (...args: unknown[]) => void;
}

/** Counts the socket's system-level writes: `_write` (one chunk) and `_writev` (many). */
function countWrites(model: ChannelModel) {
  const socket = (model as unknown as { connection: { stream: Socket } })
    .connection.stream as unknown as WritableInternals;
  const counts = { write: 0, writev: 0, chunks: 0 };
  const write = socket._write.bind(socket);
  const writev = socket._writev?.bind(socket);
  socket._write = (...args: unknown[]) => {
    counts.write += 1;
    counts.chunks += 1;
    write(...args);
  };
  socket._writev = (chunks: unknown, ...rest: unknown[]) => {
    counts.writev += 1;
    counts.chunks += (chunks as unknown[]).length;
    writev?.(chunks, ...rest);
  };
  return counts;
}

/** Three publishes in one turn; the socket writes they took, up to their confirms. */
async function publishThree(
  model: ChannelModel,
): Promise<{ write: number; writev: number; chunks: number }> {
  const channel = await model.createConfirmChannel();
  const queue = `coalesce-${randomUUID()}`;
  await channel.assertQueue(queue, { autoDelete: true, durable: false });
  const counts = countWrites(model);
  for (let index = 0; index < 3; index++) {
    channel.publish('', queue, Buffer.from(`message ${index}`));
  }
  await channel.waitForConfirms();
  const seen = { ...counts };
  await channel.deleteQueue(queue);
  await channel.close();
  return seen;
}

describe(coalesceAmqpWrites.name, () => {
  let model: ChannelModel | undefined;

  afterEach(async () => {
    await model?.close();
    model = undefined;
  });

  it("sends the frames of one multiplexer pass in one writev (amqplib's internals are where it expects)", async () => {
    model = await connect(BROKER_URL, amqpSocketOptions('coalesce-spec'));
    expect(coalesceAmqpWrites(model)).toBe(true);
    expect(coalesceAmqpWrites(model)).toBe(true); // twice is harmless

    expect(await publishThree(model)).toEqual({
      write: 0,
      writev: 1,
      chunks: 3,
    });
  });

  it('without it, amqplib writes each frame on its own (what it fixes)', async () => {
    model = await connect(BROKER_URL, amqpSocketOptions('coalesce-spec'));

    expect(await publishThree(model)).toEqual({
      write: 3,
      writev: 0,
      chunks: 3,
    });
  });

  it('leaves an object without those internals alone', () => {
    expect(coalesceAmqpWrites(undefined)).toBe(false);
    expect(coalesceAmqpWrites({ connection: { stream: {} } })).toBe(false);
  });
});

describe(amqpSocketOptions.name, () => {
  it("turns Nagle's algorithm off on the client's connection", async () => {
    const setNoDelay = jest.spyOn(Socket.prototype, 'setNoDelay');
    const client = new CeleryClient({ url: BROKER_URL });
    try {
      await client.connect();
      expect(setNoDelay).toHaveBeenCalledWith(true);
      expect(setNoDelay).not.toHaveBeenCalledWith(false);
    } finally {
      setNoDelay.mockRestore();
      await client.close();
    }
  });
});
