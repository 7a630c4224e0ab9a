/**
 * The soft time limit passed: the task's `signal` is aborted with this
 * reason, so it can clean up (Celery's `SoftTimeLimitExceeded`).
 */
export class SoftTimeLimitExceeded extends Error {
  readonly excModule = 'celery.exceptions';
  readonly excType = 'SoftTimeLimitExceeded';
  readonly excMessage: unknown[];

  constructor(readonly seconds: number) {
    super(`soft time limit (${seconds}s) exceeded`);
    this.name = 'SoftTimeLimitExceeded';
    this.excMessage = [this.message];
    Object.setPrototypeOf(this, SoftTimeLimitExceeded.prototype);
  }
}

/**
 * The hard time limit passed: the worker stops waiting for the task and
 * fails it (Celery's `TimeLimitExceeded(<seconds>)`).
 */
export class TimeLimitExceeded extends Error {
  readonly excModule = 'celery.exceptions';
  readonly excType = 'TimeLimitExceeded';
  readonly excMessage: unknown[];

  constructor(readonly seconds: number) {
    super(`TimeLimitExceeded(${seconds})`);
    this.name = 'TimeLimitExceeded';
    this.excMessage = [seconds];
    Object.setPrototypeOf(this, TimeLimitExceeded.prototype);
  }
}
