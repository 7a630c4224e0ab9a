/** BEAT_SCHEDULE_FILE cannot be read or has an invalid entry: beat does not start. */
export class ScheduleFileError extends Error {
  override readonly name = 'ScheduleFileError';

  constructor(message: string) {
    super(message);
    Object.setPrototypeOf(this, new.target.prototype);
  }
}
