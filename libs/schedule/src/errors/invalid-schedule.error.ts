/** A schedule that cannot be stored: a bad cron, timezone, interval or field. */
export class InvalidScheduleError extends Error {
  override readonly name = 'InvalidScheduleError';

  constructor(
    /** The field at fault, e.g. `cron`. */
    readonly field: string,
    message: string,
  ) {
    super(message);
    Object.setPrototypeOf(this, new.target.prototype);
  }
}
