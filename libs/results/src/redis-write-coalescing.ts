import type { Redis } from 'ioredis';
// The module's, not the global: a test's fake timers must not hold writes back.
import { setImmediate } from 'node:timers';

/** The part of a socket this touches. */
interface CorkableStream {
  write: (...args: unknown[]) => boolean;
  cork: () => void;
  uncork: () => void;
  coalescedWrites?: true;
}

/**
 * Makes every command a client sends in one event-loop turn leave in one
 * `writev`, and so usually come back in one read: ioredis's auto-pipelining
 * joins only the commands of one tick, while an api under load starts many
 * requests in one turn (one socket read each), and each wrote its PENDING
 * mark as its own syscall and TCP segment. The socket is corked at the
 * turn's first write and uncorked in the same turn's check phase
 * (`setImmediate`), so nothing waits for a later turn.
 *
 * Applied to each socket the client opens (the current one and each after
 * a reconnect), through its `connect` event.
 *
 * @param client - an ioredis client
 */
export function coalesceRedisWrites(client: Redis): void {
  const patch = () => {
    const stream = (client as unknown as { stream?: unknown }).stream;
    if (isCorkable(stream)) {
      coalesce(stream);
    }
  };
  client.on('connect', patch);
  patch();
}

function isCorkable(stream: unknown): stream is CorkableStream {
  const candidate = stream as Partial<CorkableStream> | undefined;
  return (
    typeof candidate?.write === 'function' &&
    typeof candidate.cork === 'function' &&
    typeof candidate.uncork === 'function'
  );
}

function coalesce(stream: CorkableStream): void {
  if (stream.coalescedWrites) {
    return;
  }
  const write = stream.write;
  let corked = false;
  const uncork = () => {
    corked = false;
    stream.uncork();
  };
  stream.write = function coalescedWrite(this: unknown, ...args: unknown[]) {
    if (!corked) {
      corked = true;
      stream.cork();
      setImmediate(uncork);
    }
    return write.apply(this, args);
  };
  stream.coalescedWrites = true;
}
