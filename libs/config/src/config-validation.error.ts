/**
 * Thrown at start-up when environment variables are invalid. The message
 * names each variable and what is wrong, never its value (it may hold a secret).
 */
export class ConfigValidationError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid environment: ${problems.join('; ')}`);
    this.name = ConfigValidationError.name;
    Object.setPrototypeOf(this, ConfigValidationError.prototype);
  }
}
