import type { TaskOptions } from '@celeriac/tasks';

/** Celery's defaults for `max_retries` and `default_retry_delay`. */
export const DEFAULT_MAX_RETRIES = 3;
export const DEFAULT_RETRY_DELAY_SECONDS = 180;

/**
 * Seconds to wait before retry number `retries + 1`: the explicit countdown,
 * else exponential backoff (with full jitter unless disabled, capped), else
 * the task's default delay.
 */
export function retryCountdown(
  options: Pick<TaskOptions, 'retryBackoff' | 'defaultRetryDelay'>,
  retries: number,
  explicit: number | undefined,
  random: () => number = Math.random,
): number {
  if (explicit !== undefined) {
    return Math.max(0, explicit);
  }
  const backoff = options.retryBackoff;
  if (!backoff) {
    return options.defaultRetryDelay ?? DEFAULT_RETRY_DELAY_SECONDS;
  }
  const ceiling = Math.min(
    backoff.max ?? 600,
    (backoff.base ?? 1) * 2 ** retries,
  );
  return backoff.jitter === false ? ceiling : random() * ceiling;
}
