import type { RedisOptions } from 'bullmq';
import {
  FAIL_FAST_COMMAND_TIMEOUT_MS,
  redisTlsOptions,
} from '@celeriac/results';

/**
 * BullMQ connection options for a `redis[s]://[user:password@]host:port/db`
 * URL (RESULT_BACKEND_URL: Redis is the result backend and BullMQ's store).
 * `maxRetriesPerRequest: null` is what BullMQ's blocking worker needs;
 * `failFast` is for a producer that answers requests.
 */
export function bullConnectionOptions(
  url: string,
  { failFast = false }: { failFast?: boolean } = {},
): RedisOptions {
  const parsed = new URL(url);
  const db = parsed.pathname.replace(/^\//, '');
  return {
    host: parsed.hostname || '127.0.0.1',
    port: parsed.port === '' ? 6379 : Number(parsed.port),
    ...(parsed.username
      ? { username: decodeURIComponent(parsed.username) }
      : {}),
    ...(parsed.password
      ? { password: decodeURIComponent(parsed.password) }
      : {}),
    db: db === '' ? 0 : Number(db),
    ...(parsed.protocol === 'rediss:' ? { tls: redisTlsOptions(url) } : {}),
    maxRetriesPerRequest: null,
    connectionName: 'celeriac-schedule',
    // For an app that answers requests (the api only adds jobs, never
    // blocks): fail at once while Redis is down instead of queueing forever,
    // as BullMQ advises for producers. A blocking worker keeps null.
    ...(failFast
      ? {
          enableOfflineQueue: false,
          maxRetriesPerRequest: 0,
          commandTimeout: FAIL_FAST_COMMAND_TIMEOUT_MS,
        }
      : {}),
  };
}
