import type { TaskMessage } from '@celeriac/broker';
import {
  MaxRetriesExceededError,
  RetryRequest,
  type TaskOptions,
} from '@celeriac/tasks';
import { errorName } from './error-text';
import type { TaskOutcome } from './time-limits';

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

/** A run that ended, but not by revoke(terminate). */
export type SettledOutcome = Exclude<TaskOutcome, { kind: 'terminated' }>;

/** Whether this outcome retries, and after how long (Celery's `Task.retry`). */
export function retryDecision(
  definition: TaskOptions,
  message: TaskMessage,
  outcome: SettledOutcome,
): { countdown: number; cause: unknown } | null {
  if (outcome.kind !== 'failure') {
    return null;
  }
  const { error } = outcome;
  const requested = error instanceof RetryRequest;
  const automatic =
    !requested &&
    (definition.autoretryFor ?? []).includes(errorName(error) ?? '');
  const perMessage = message.headers.max_retries;
  const maxRetries =
    typeof perMessage === 'number'
      ? perMessage
      : (definition.maxRetries ?? DEFAULT_MAX_RETRIES);
  if ((!requested && !automatic) || message.headers.retries >= maxRetries) {
    return null;
  }
  return {
    countdown: retryCountdown(
      definition,
      message.headers.retries,
      requested ? error.countdown : undefined,
    ),
    cause: requested ? error.cause : error,
  };
}

/**
 * The error a run that will not retry fails with: a `retry()` past its
 * budget fails with its cause, or Celery's MaxRetriesExceededError.
 */
export function failureOf(
  message: TaskMessage,
  outcome: Exclude<SettledOutcome, { kind: 'success' }>,
): unknown {
  const { headers } = message;
  return outcome.kind === 'failure' && outcome.error instanceof RetryRequest
    ? (outcome.error.cause ??
        new MaxRetriesExceededError(headers.task, headers.id, headers.retries))
    : outcome.error;
}
