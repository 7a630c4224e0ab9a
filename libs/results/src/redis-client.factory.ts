import { Logger } from '@nestjs/common';
import { Redis } from 'ioredis';
import { redisTlsOptions, withoutTlsParameters } from './redis-tls';

/** Options of {@link createRedisClient}. */
export interface RedisClientOptions {
  /** Sent with CLIENT SETNAME, so `CLIENT LIST` shows who holds the connection. */
  connectionName?: string;
  /**
   * For request paths (the api): a command fails at once while Redis is
   * unreachable instead of waiting in the offline queue, a command whose
   * reply does not come within {@link FAIL_FAST_COMMAND_TIMEOUT_MS} fails,
   * and nothing queued during an outage is written after it. Off for the
   * worker, which keeps its writes queued across a short outage.
   */
  failFast?: boolean;
}

/** How long a fail-fast client waits for a reply (a hung Redis). */
export const FAIL_FAST_COMMAND_TIMEOUT_MS = 1500;

const MAX_RETRIES_PER_REQUEST = 2;
const RECONNECT_STEP_MS = 200;
const RECONNECT_MAX_MS = 2000;
const DISCONNECT_TIMEOUT_MS = 500;

const logger = new Logger('RedisClient');

/**
 * Creates an ioredis client for a `redis://[user:password@]host:port/db` or
 * `rediss://…` URL; the db index comes from the path, TLS files and checks
 * from Celery's `ssl_*` query parameters ({@link redisTlsOptions}).
 *
 * Commands of one tick are auto-pipelined (one write, one round trip).
 * Commands issued while Redis is unreachable are queued, then fail after
 * two reconnect attempts instead of hanging (with `failFast`: fail at
 * once), and reconnects back off up to two seconds apart.
 *
 * @param url - the Redis URL
 * @param options - connection name, fail-fast
 * @returns a client that starts connecting at once
 * @throws Error when the URL is not a redis URL or its db index is not an integer
 */
export function createRedisClient(
  url: string,
  options: RedisClientOptions = {},
): Redis {
  assertRedisUrl(url);
  const tls = redisTlsOptions(url);
  const client = new Redis(withoutTlsParameters(url), {
    ...(tls ? { tls } : {}),
    lazyConnect: false,
    ...(options.failFast
      ? {
          maxRetriesPerRequest: 0,
          enableOfflineQueue: false,
          commandTimeout: FAIL_FAST_COMMAND_TIMEOUT_MS,
        }
      : {
          maxRetriesPerRequest: MAX_RETRIES_PER_REQUEST,
          enableOfflineQueue: true,
        }),
    // Commands issued in the same tick go out in one write: a worker storing
    // many results at once pays one round trip, not one each.
    enableAutoPipelining: true,
    // ioredis waits this long for a socket that already failed before it lets the process exit.
    disconnectTimeout: DISCONNECT_TIMEOUT_MS,
    connectionName: options.connectionName,
    retryStrategy: (attempt: number) =>
      Math.min(attempt * RECONNECT_STEP_MS, RECONNECT_MAX_MS),
  });
  let lastError: string | undefined;
  // Without a listener ioredis prints every failed reconnect; log each distinct failure once.
  client.on('error', (error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    if (message !== lastError) {
      lastError = message;
      logger.warn({
        msg: 'Redis connection error',
        connectionName: options.connectionName,
        error: message,
      });
    }
  });
  client.on('ready', () => {
    lastError = undefined;
  });
  return client;
}

function assertRedisUrl(url: string): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error('Redis URL is not a valid URL');
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw new Error(
      `Redis URL must use redis:// or rediss://, not ${parsed.protocol}//`,
    );
  }
  const db = parsed.pathname.replace(/^\//, '');
  if (db !== '' && !/^\d+$/.test(db)) {
    throw new Error(`Redis URL path must be a db index, not "/${db}"`);
  }
}

/**
 * Resolves once `client` is ready, or after `timeoutMs` either way: a
 * fail-fast client refuses commands until its first connect, so an app
 * gives it that moment at start-up (and still starts while Redis is down).
 */
export async function settleConnection(
  client: Redis,
  timeoutMs: number,
): Promise<void> {
  if (client.status === 'ready') {
    return;
  }
  await new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(timer);
      client.off('ready', done);
      resolve();
    };
    const timer = setTimeout(done, timeoutMs);
    client.once('ready', done);
  });
}
