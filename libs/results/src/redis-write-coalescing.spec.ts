import { EventEmitter } from 'node:events';
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Redis } from 'ioredis';
import { coalesceRedisWrites } from './redis-write-coalescing';

// A socket that records what happens to it, in order.
function fakeStream(events: string[]) {
  return {
    write: (chunk: unknown) => {
      events.push(`write ${String(chunk)}`);
      return true;
    },
    cork: () => events.push('cork'),
    uncork: () => events.push('uncork'),
  };
}

function fakeClient(stream: unknown): Redis & EventEmitter {
  return Object.assign(new EventEmitter(), { stream }) as unknown as Redis &
    EventEmitter;
}

describe(coalesceRedisWrites.name, () => {
  it('corks at the first write of a turn and uncorks once, in that turn', async () => {
    const events: string[] = [];
    const stream = fakeStream(events);
    coalesceRedisWrites(fakeClient(stream));

    stream.write('SET a');
    stream.write('SET b');
    expect(events).toEqual(['cork', 'write SET a', 'write SET b']);
    await nextTurn();
    expect(events).toEqual(['cork', 'write SET a', 'write SET b', 'uncork']);

    stream.write('SET c');
    await nextTurn();
    expect(events.slice(4)).toEqual(['cork', 'write SET c', 'uncork']);
  });

  it('patches the socket of each new connection once', async () => {
    const events: string[] = [];
    const client = fakeClient(undefined);
    coalesceRedisWrites(client);
    const stream = fakeStream(events);
    (client as unknown as { stream: unknown }).stream = stream;
    client.emit('connect');
    client.emit('connect');

    stream.write('PING');
    await nextTurn();
    expect(events).toEqual(['cork', 'write PING', 'uncork']);
  });

  it('passes the write through with its arguments and result', () => {
    const calls: unknown[][] = [];
    const stream = {
      write: (...args: unknown[]) => {
        calls.push(args);
        return false;
      },
      cork: () => undefined,
      uncork: () => undefined,
    };
    coalesceRedisWrites(fakeClient(stream));
    const callback = () => undefined;
    expect(stream.write('GET a', 'utf8', callback)).toBe(false);
    expect(calls).toEqual([['GET a', 'utf8', callback]]);
  });
});
