/**
 * Celery's rate-limit syntax (`celery.utils.time.rate`): `'10/s'`,
 * `'100/m'`, `'1000/h'`, or a number (per second). `0`, `''` and null mean
 * no limit.
 */
export type RateLimit = string | number;

const PER_SECOND: Record<string, number> = { s: 1, m: 1 / 60, h: 1 / 3600 };

/** Thrown for a string Celery would refuse too. */
export class InvalidRateLimitError extends Error {
  constructor(value: unknown) {
    super(
      `invalid rate limit ${JSON.stringify(value)}: expected a number or N/s, N/m, N/h`,
    );
    this.name = 'InvalidRateLimitError';
  }
}

/**
 * Tasks per second; 0 when there is no limit.
 * @throws InvalidRateLimitError when Celery could not read it either
 */
export function tasksPerSecond(limit: RateLimit | null | undefined): number {
  if (limit === null || limit === undefined || limit === '' || limit === 0) {
    return 0;
  }
  if (typeof limit === 'number') {
    if (!Number.isFinite(limit) || limit < 0) {
      throw new InvalidRateLimitError(limit);
    }
    return limit;
  }
  const match = /^\s*(\d+(?:\.\d*)?|\.\d+)\s*(?:\/\s*([smh]))?\s*$/.exec(limit);
  if (!match) {
    throw new InvalidRateLimitError(limit);
  }
  return Number(match[1]) * PER_SECOND[match[2] ?? 's'];
}

/** Whether Celery's syntax accepts it. */
export function isRateLimit(value: unknown): value is RateLimit {
  if (typeof value !== 'string' && typeof value !== 'number') {
    return false;
  }
  try {
    tasksPerSecond(value);
    return true;
  } catch {
    return false;
  }
}
