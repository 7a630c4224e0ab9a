import { createServer, connect, type Server, type Socket } from 'node:net';

/** A TCP proxy the test owns, so it can cut a dependency without touching the shared one. */
export interface TcpProxy {
  /** The port the proxy listens on (127.0.0.1). */
  readonly port: number;
  /** Destroys every proxied connection and refuses new ones. */
  cut(): void;
  /**
   * Stops forwarding without closing anything: connections look up but
   * nothing gets through (a broker that stops confirming). Undo with
   * {@link TcpProxy.cut}, which drops what was held back.
   */
  stall(): void;
  /** Accepts and forwards new connections again. */
  restore(): void;
  /** Cuts, then stops listening. */
  close(): Promise<void>;
}

/**
 * Listens on 127.0.0.1:<free port> and forwards each connection to
 * 127.0.0.1:`targetPort` (RabbitMQ's 5672 by default).
 */
export async function startTcpProxy(targetPort = 5672): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  let open = true;
  const track = (socket: Socket): void => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
  };
  const server: Server = createServer((client) => {
    track(client);
    if (!open) {
      client.destroy();
      return;
    }
    const upstream = connect(targetPort, '127.0.0.1');
    track(upstream);
    client.pipe(upstream);
    upstream.pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === 'string') {
    throw new Error('the proxy has no TCP address');
  }
  const cut = (): void => {
    open = false;
    for (const socket of sockets) {
      socket.destroy();
    }
  };
  // A paused socket is not read, so nothing it receives is piped on.
  const stall = (): void => {
    for (const socket of sockets) {
      socket.pause();
    }
  };
  return {
    port: address.port,
    cut,
    stall,
    restore: () => {
      open = true;
    },
    close: () =>
      new Promise<void>((resolve) => {
        cut();
        server.close(() => resolve());
      }),
  };
}
