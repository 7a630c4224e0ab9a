import type { RedisOptions } from 'ioredis';
import { redisTlsOptions } from './redis-tls';

/**
 * Where the result backend lives: a `redis[s]://` URL, or Celery's list of
 * `sentinel://` URLs (`sentinel://h1:26379;sentinel://h2:26379/0`) with the
 * name of the master the sentinels watch.
 */
export interface RedisTarget {
  url: string;
  /** Celery's `master_name` transport option (RESULT_BACKEND_SENTINEL_MASTER). */
  sentinelMaster?: string;
  /** The sentinels' own password (Celery's `sentinel_kwargs.password`). */
  sentinelPassword?: string;
}

/** The sentinel master name when none is configured (Redis' own example name). */
export const DEFAULT_SENTINEL_MASTER = 'mymaster';

/** Celery's separator between the sentinel URLs of one backend. */
const URL_SEPARATOR = ';';

/** The address and credentials part of ioredis' options for a {@link RedisTarget}. */
export type RedisConnectionOptions = Pick<
  RedisOptions,
  | 'host'
  | 'port'
  | 'username'
  | 'password'
  | 'db'
  | 'tls'
  | 'sentinels'
  | 'name'
  | 'sentinelPassword'
  | 'reconnectOnError'
>;

/** True for Celery's `sentinel://` backend URLs. */
export function isSentinelUrl(url: string): boolean {
  return url.trimStart().toLowerCase().startsWith('sentinel://');
}

/**
 * ioredis' address options for the result backend. For `sentinel://` URLs,
 * as Celery's `SentinelBackend` reads them: every URL names one sentinel,
 * the db index and the password of the first URL are the master's (ioredis
 * asks the sentinels where the master is, and again after a failover).
 *
 * @throws Error naming the problem when a URL is malformed
 */
export function redisConnectionOptions(
  target: RedisTarget,
): RedisConnectionOptions {
  if (!isSentinelUrl(target.url)) {
    const parsed = parseRedisUrl(target.url, ['redis:', 'rediss:']);
    const tls = redisTlsOptions(target.url);
    return {
      host: parsed.hostname || '127.0.0.1',
      port: parsed.port === '' ? 6379 : Number(parsed.port),
      ...credentialsOf(parsed),
      db: dbOf(parsed),
      ...(tls ? { tls } : {}),
    };
  }
  const chunks = target.url
    .split(URL_SEPARATOR)
    .map((chunk) => chunk.trim())
    .filter((chunk) => chunk !== '');
  const parsed = chunks.map((chunk) => parseRedisUrl(chunk, ['sentinel:']));
  for (const url of parsed) {
    if ([...url.searchParams.keys()].some((key) => key.startsWith('ssl'))) {
      throw new Error(
        'RESULT_BACKEND_URL: TLS parameters are not supported on sentinel:// URLs',
      );
    }
  }
  const first = parsed[0];
  return {
    sentinels: parsed.map((url) => ({
      host: url.hostname || '127.0.0.1',
      port: url.port === '' ? 26379 : Number(url.port),
    })),
    name: target.sentinelMaster || DEFAULT_SENTINEL_MASTER,
    ...(target.sentinelPassword
      ? { sentinelPassword: target.sentinelPassword }
      : {}),
    ...credentialsOf(first),
    db: dbOf(first),
    // No `failoverDetector`: in ioredis 6.0 a +switch-master that arrives
    // while the client is reconnecting ends it for good ("Connection is
    // closed."). It is not needed: a dead master drops the connection, and
    // Sentinel sends CLIENT KILL to a master it demotes, so the client asks
    // the sentinels again; a write that still reaches a demoted master
    // (READONLY) reconnects too.
    reconnectOnError: reconnectOnReadOnly,
  };
}

/**
 * A demoted master answers writes with READONLY: reconnect (ioredis asks
 * the sentinels for the master again) and resend the command.
 */
export function reconnectOnReadOnly(error: Error): 2 | false {
  return error.message.startsWith('READONLY') ? 2 : false;
}

function parseRedisUrl(url: string, protocols: string[]): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error('Redis URL is not a valid URL');
  }
  if (!protocols.includes(parsed.protocol)) {
    throw new Error(
      `Redis URL must use ${protocols.map((p) => `${p}//`).join(' or ')}, not ${parsed.protocol}//`,
    );
  }
  return parsed;
}

function credentialsOf(
  parsed: URL,
): Pick<RedisOptions, 'username' | 'password'> {
  return {
    ...(parsed.username
      ? { username: decodeURIComponent(parsed.username) }
      : {}),
    ...(parsed.password
      ? { password: decodeURIComponent(parsed.password) }
      : {}),
  };
}

function dbOf(parsed: URL): number {
  const db = parsed.pathname.replace(/^\//, '');
  if (db !== '' && !/^\d+$/.test(db)) {
    throw new Error(`Redis URL path must be a db index, not "/${db}"`);
  }
  return db === '' ? 0 : Number(db);
}
