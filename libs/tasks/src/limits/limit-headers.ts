import type { TaskHeaders } from '@celeriac/broker';
import { isRateLimit, type RateLimit } from './rate-limit';

/**
 * Extra protocol-v2 headers celeriac reads; Celery's worker keeps unknown
 * headers on `task.request` and otherwise ignores them, so a Python worker
 * runs these tasks without the limits.
 */
export const RATE_LIMIT_HEADER = 'x_celeriac_rate_limit';
export const CONCURRENCY_KEY_HEADER = 'x_celeriac_concurrency_key';
export const CONCURRENCY_LIMIT_HEADER = 'x_celeriac_concurrency_limit';

/** At most `limit` tasks with `key` run at once, across the cluster. */
export interface ConcurrencyKey {
  key: string;
  limit: number;
}

/** Longest concurrency key, in characters. */
export const MAX_CONCURRENCY_KEY_LENGTH = 200;

/** The limits a message asks for, as headers to add to it. */
export function limitHeaders(limits: {
  rateLimit?: RateLimit;
  concurrency?: ConcurrencyKey;
}): Record<string, unknown> {
  const headers: Record<string, unknown> = {};
  if (limits.rateLimit !== undefined) {
    headers[RATE_LIMIT_HEADER] = String(limits.rateLimit);
  }
  if (limits.concurrency) {
    headers[CONCURRENCY_KEY_HEADER] = limits.concurrency.key;
    headers[CONCURRENCY_LIMIT_HEADER] = limits.concurrency.limit;
  }
  return headers;
}

/** The message's own rate limit; undefined when absent or unreadable. */
export function messageRateLimit(headers: TaskHeaders): RateLimit | undefined {
  const value = headers[RATE_LIMIT_HEADER];
  return isRateLimit(value) ? value : undefined;
}

/** The message's concurrency key; undefined when absent or unreadable. */
export function messageConcurrency(
  headers: TaskHeaders,
): ConcurrencyKey | undefined {
  const key = headers[CONCURRENCY_KEY_HEADER];
  const limit = headers[CONCURRENCY_LIMIT_HEADER];
  return isConcurrencyKey(key, limit)
    ? { key, limit: limit as number }
    : undefined;
}

export function isConcurrencyKey(key: unknown, limit: unknown): key is string {
  return (
    typeof key === 'string' &&
    key !== '' &&
    key.length <= MAX_CONCURRENCY_KEY_LENGTH &&
    typeof limit === 'number' &&
    Number.isInteger(limit) &&
    limit >= 1
  );
}
