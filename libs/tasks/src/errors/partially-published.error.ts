import { BrokerUnavailableError } from '@celeriac/broker';

/**
 * Some tasks of a plain batch (`TaskProducer.sendMany`) were confirmed by
 * the broker, and are queued, while the others were not: the caller must
 * tell the two apart rather than report the whole batch failed (a retry
 * would send the queued ones twice). The PENDING marks of `failedIds` were
 * taken back; those of `sentIds` stay. A route that does not handle it
 * answers 503, as for any {@link BrokerUnavailableError}.
 */
export class PartiallyPublishedError extends BrokerUnavailableError {
  /** Ids of the tasks the broker confirmed, in the batch's order. */
  readonly sentIds: readonly string[];

  /**
   * @param taskIds - every id of the batch, in its order
   * @param failedIds - ids of the tasks not sent
   * @param cause - the first failure (a publish's, or a delayed task's)
   */
  constructor(
    readonly taskIds: readonly string[],
    readonly failedIds: ReadonlySet<string>,
    cause: unknown,
  ) {
    super(
      `${failedIds.size} of ${taskIds.length} tasks not sent (${cause instanceof Error ? cause.message : String(cause)})`,
      cause,
    );
    this.sentIds = taskIds.filter((id) => !failedIds.has(id));
  }
}
