/**
 * The result backend (Redis) did not take or give a value: it is down,
 * unreachable or too slow. The caller may retry later; the api answers
 * 503 RESULT_BACKEND_UNAVAILABLE.
 */
export class ResultBackendUnavailableError extends Error {
  override readonly name = 'ResultBackendUnavailableError';

  /**
   * @param reason - what failed, for the log and the problem detail
   * @param cause - the ioredis error
   */
  constructor(reason: string, cause?: unknown) {
    super(`Redis is unavailable: ${reason}`, { cause });
    Object.setPrototypeOf(this, new.target.prototype);
  }
}

// What ioredis rejects a command with when it never reached Redis or its
// reply never came back (as opposed to a Redis error reply, a bug).
const UNAVAILABLE_NAMES = new Set([
  'MaxRetriesPerRequestError',
  'AbortError',
  ResultBackendUnavailableError.name,
]);
const UNAVAILABLE_MESSAGES = [
  'Connection is closed.',
  "Stream isn't writeable",
  'Command timed out',
  'Socket timeout',
  'connect ETIMEDOUT',
];
const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENOTFOUND',
]);

/**
 * Whether `error` says Redis could not be reached (down, cut, or silent),
 * rather than that a command was wrong.
 *
 * @example
 * if (isRedisUnavailable(error)) throw new ResultBackendUnavailableError(error.message, error);
 */
export function isRedisUnavailable(error: unknown): error is Error {
  if (!(error instanceof Error)) {
    return false;
  }
  const code = (error as { code?: unknown }).code;
  return (
    UNAVAILABLE_NAMES.has(error.name) ||
    (typeof code === 'string' && UNAVAILABLE_CODES.has(code)) ||
    UNAVAILABLE_MESSAGES.some((text) => error.message.startsWith(text))
  );
}

/** `error` as a {@link ResultBackendUnavailableError} when Redis could not be reached, else unchanged. */
export function asResultBackendError(error: unknown): unknown {
  if (error instanceof ResultBackendUnavailableError) {
    return error;
  }
  return isRedisUnavailable(error)
    ? new ResultBackendUnavailableError(error.message, error)
    : error;
}
