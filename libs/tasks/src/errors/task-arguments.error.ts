/**
 * A message's args and kwargs do not fit the task's parameters; Python would
 * raise TypeError, so the result says TypeError too.
 */
export class TaskArgumentsError extends TypeError {
  constructor(message: string) {
    super(message);
    this.name = 'TypeError';
    Object.setPrototypeOf(this, TaskArgumentsError.prototype);
  }
}
