/**
 * Thrown by `request.retry()`: the executor republishes the task with the
 * same id and one more retry (Celery's `Retry`). Not an error of the task.
 */
export class RetryRequest extends Error {
  constructor(
    readonly countdown: number | undefined,
    override readonly cause: unknown,
  ) {
    super('retry requested');
    this.name = 'Retry';
    Object.setPrototypeOf(this, RetryRequest.prototype);
  }
}

/** `max_retries` was reached and no error was given to `retry()`. */
export class MaxRetriesExceededError extends Error {
  readonly excModule = 'celery.exceptions';
  readonly excType = 'MaxRetriesExceededError';
  readonly excMessage: unknown[];

  constructor(task: string, id: string, retries: number) {
    super(
      `Can't retry ${task}[${id}] args:... kwargs:... (${retries} retries)`,
    );
    this.name = 'MaxRetriesExceededError';
    this.excMessage = [this.message];
    Object.setPrototypeOf(this, MaxRetriesExceededError.prototype);
  }
}
