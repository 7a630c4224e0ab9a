/**
 * A task message could not be handed to RabbitMQ: the connection is down,
 * or the broker did not confirm the publish in time, or refused it. The
 * caller may retry later; the api answers 503 BROKER_UNAVAILABLE.
 */
export class BrokerUnavailableError extends Error {
  override readonly name = 'BrokerUnavailableError';

  /**
   * @param reason - what failed, for the log and the problem detail
   * @param cause - the underlying error, when there is one
   */
  constructor(reason: string, cause?: unknown) {
    super(`RabbitMQ is unavailable: ${reason}`, { cause });
    Object.setPrototypeOf(this, new.target.prototype);
  }
}
