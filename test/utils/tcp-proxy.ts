import { createServer, connect, type Server, type Socket } from 'node:net';

/** A TCP proxy the test owns, so it can cut a dependency without touching the shared one. */
export interface TcpProxy {
  /** The port the proxy listens on (127.0.0.1). */
  readonly port: number;
  /** Destroys every proxied connection and refuses new ones. */
  cut(): void;
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
  return {
    port: address.port,
    cut,
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
