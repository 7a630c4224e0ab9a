/**
 * A result key holds something that is not a Celery result document.
 *
 * @throws by `ResultRepository` reads; the key is kept for the log line.
 */
export class CorruptResultError extends Error {
  override readonly name = 'CorruptResultError';

  /**
   * @param key - the Redis key that was read
   * @param detail - what is wrong with its value
   * @param cause - the parse error, when there is one
   */
  constructor(
    readonly key: string,
    detail: string,
    cause?: unknown,
  ) {
    super(`Corrupt result at ${key}: ${detail}`, { cause });
    Object.setPrototypeOf(this, new.target.prototype);
  }
}
