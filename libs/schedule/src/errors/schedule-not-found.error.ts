/** Reading, replacing or deleting a schedule nobody created. */
export class ScheduleNotFoundError extends Error {
  override readonly name = 'ScheduleNotFoundError';

  constructor(readonly scheduleName: string) {
    super(`No schedule named "${scheduleName}".`);
    Object.setPrototypeOf(this, new.target.prototype);
  }
}
