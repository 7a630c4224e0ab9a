/** Creating a schedule under a name that is taken. */
export class ScheduleExistsError extends Error {
  override readonly name = 'ScheduleExistsError';

  constructor(readonly scheduleName: string) {
    super(`A schedule named "${scheduleName}" exists already.`);
    Object.setPrototypeOf(this, new.target.prototype);
  }
}
