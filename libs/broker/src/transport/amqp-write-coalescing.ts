import type { AmqpConnectionManager } from 'amqp-connection-manager';

/** The parts of amqplib's (2.x) connection this touches, checked at runtime. */
interface AmqplibInternals {
  stream?: { cork?: () => void; uncork?: () => void };
  muxer?: { _readIncoming?: (() => void) & { coalesced?: true } };
}

/**
 * Makes the frames amqplib writes in one pass of its multiplexer leave in
 * one `writev` instead of one `write` each.
 *
 * amqplib queues every frame per channel and, once per event-loop turn,
 * writes them to the socket one `write` call at a time. With TCP_NODELAY
 * (see amqp-socket.ts) each is its own syscall and TCP segment: a worker
 * with task events on wrote four per task (three events and the ack), and
 * on loopback each costs the broker's side of TCP as well. Corking the
 * socket around that pass sends them together, with no added delay.
 *
 * This patches amqplib's private `Connection.muxer._readIncoming`; if a
 * later amqplib moves it, nothing is patched and frames leave as before.
 *
 * @param model - the amqplib `ChannelModel` amqp-connection-manager connected
 * @returns whether the connection's writes are now coalesced
 */
export function coalesceAmqpWrites(model: unknown): boolean {
  const connection = (model as { connection?: AmqplibInternals } | undefined)
    ?.connection;
  const stream = connection?.stream;
  const muxer = connection?.muxer;
  const readIncoming = muxer?._readIncoming;
  if (
    !stream ||
    !muxer ||
    typeof stream.cork !== 'function' ||
    typeof stream.uncork !== 'function' ||
    typeof readIncoming !== 'function'
  ) {
    return false;
  }
  if (readIncoming.coalesced) {
    return true;
  }
  const cork = stream.cork.bind(stream);
  const uncork = stream.uncork.bind(stream);
  const coalesced = Object.assign(
    function coalescedReadIncoming(this: unknown): void {
      cork();
      try {
        readIncoming.call(this);
      } finally {
        uncork();
      }
    },
    { coalesced: true as const },
  );
  muxer._readIncoming = coalesced;
  return true;
}

/**
 * {@link coalesceAmqpWrites} on every connection a manager opens, the
 * current one and each after a reconnect.
 *
 * @param manager - an amqp-connection-manager connection
 */
export function coalesceWritesOf(manager: AmqpConnectionManager): void {
  manager.on('connect', ({ connection }: { connection: unknown }) => {
    coalesceAmqpWrites(connection);
  });
  if (manager.connection) {
    coalesceAmqpWrites(manager.connection);
  }
}
