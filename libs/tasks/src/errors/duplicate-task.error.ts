/** Two handlers claim one task name; thrown at start-up. */
export class DuplicateTaskError extends Error {
  constructor(readonly task: string) {
    super(`Task "${task}" is declared more than once`);
    this.name = DuplicateTaskError.name;
    Object.setPrototypeOf(this, DuplicateTaskError.prototype);
  }
}
