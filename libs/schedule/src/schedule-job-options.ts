import type { JobsOptions } from 'bullmq';

/** The backoff type beat's worker computes with {@link retryBackoffMs}. */
export const CAPPED_BACKOFF = 'capped-exponential';
const BACKOFF_BASE_MS = 1000;
const BACKOFF_CAP_MS = 30_000;

/**
 * Every schedule job: retried until RabbitMQ takes the message (nothing is
 * lost while the broker is down), finished jobs kept a day so a re-submitted
 * task id is still recognised, failed ones never dropped.
 */
export const SCHEDULE_JOB_OPTIONS = {
  attempts: Number.MAX_SAFE_INTEGER,
  backoff: { type: CAPPED_BACKOFF },
  removeOnComplete: { age: 24 * 3600, count: 100_000 },
  removeOnFail: false,
} satisfies JobsOptions;

/** 1 s, 2 s, 4 s, ... up to 30 s between publish attempts. */
export function retryBackoffMs(attemptsMade: number): number {
  const exponent = Math.min(Math.max(attemptsMade - 1, 0), 16);
  return Math.min(BACKOFF_BASE_MS * 2 ** exponent, BACKOFF_CAP_MS);
}
