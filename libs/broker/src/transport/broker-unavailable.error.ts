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

/**
 * Some messages of one `publishTasks` call were not confirmed (the others
 * were: they are queued). `failedIndexes` are positions in the call's
 * requests, so the caller can tell which tasks to report as not sent.
 */
export class BatchPublishError extends BrokerUnavailableError {
  /**
   * @param failedIndexes - positions of the requests not confirmed, ascending
   * @param first - the first of their failures
   */
  constructor(
    readonly failedIndexes: readonly number[],
    first: BrokerUnavailableError,
  ) {
    super(first.message.replace(/^RabbitMQ is unavailable: /, ''), first);
  }
}

/**
 * What a failed declare or publish means for the caller: the broker is
 * unavailable. amqp-connection-manager rejects a publish still buffered, or
 * sent but unconfirmed, after its timeout with a bare 'timeout'.
 *
 * @param error - what the channel rejected with
 * @param publishTimeoutMs - the client's confirm timeout, for the message
 */
export function asBrokerUnavailable(
  error: unknown,
  publishTimeoutMs: number,
): BrokerUnavailableError {
  if (error instanceof BrokerUnavailableError) {
    return error;
  }
  const message = error instanceof Error ? error.message : String(error);
  const reason =
    message === 'timeout'
      ? `no publisher confirm within ${publishTimeoutMs} ms`
      : message;
  return new BrokerUnavailableError(reason, error);
}
