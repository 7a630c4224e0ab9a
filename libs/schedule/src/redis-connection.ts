import type { RedisOptions } from 'bullmq';
import {
  FAIL_FAST_COMMAND_TIMEOUT_MS,
  redisConnectionOptions,
  type RedisTarget,
} from '@celeriac/results';

/**
 * BullMQ connection options for the result backend (RESULT_BACKEND_URL:
 * Redis is the result backend and BullMQ's store): a `redis[s]://` URL or
 * Celery's `sentinel://` list, through which BullMQ's connections find the
 * master and follow failovers.
 * `maxRetriesPerRequest: null` is what BullMQ's blocking worker needs;
 * `failFast` is for a producer that answers requests.
 */
export function bullConnectionOptions(
  target: string | RedisTarget,
  { failFast = false }: { failFast?: boolean } = {},
): RedisOptions {
  return {
    ...redisConnectionOptions(
      typeof target === 'string' ? { url: target } : target,
    ),
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
