import type { RedisOptions } from 'bullmq';
import { redisTlsOptions } from '@celeriac/results';

/**
 * BullMQ connection options for a `redis[s]://[user:password@]host:port/db`
 * URL (RESULT_BACKEND_URL: Redis is the result backend and BullMQ's store).
 * `maxRetriesPerRequest: null` is what BullMQ's blocking worker needs.
 */
export function bullConnectionOptions(url: string): RedisOptions {
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
  };
}
