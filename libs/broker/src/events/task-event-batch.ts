/** Celery's `buffer_limit`: a batch is sent once it holds this many events. */
export const TASK_EVENT_BATCH_LIMIT = 24;

/**
 * Task events sent in one turn of the event loop, published together as one
 * JSON list under `task.multi`, as Celery's worker does with its event loop
 * (prefork: `EventDispatcher(buffer_group=['task'])`, flushed on the loop's
 * next pass or at 24 events). Receivers (Celery's, Flower's, the monitor's)
 * take a list as its events in order. A worker sends three events per
 * task; one message for a turn's worth costs amqplib, the socket and the
 * broker a fraction of one message each.
 */
export class TaskEventBatch {
  private events: string[] = [];
  private scheduled = false;

  /**
   * @param publish - sends one batch: the JSON list of its events
   * @param limit - events in a batch at most
   */
  constructor(
    private readonly publish: (json: string) => void,
    private readonly limit = TASK_EVENT_BATCH_LIMIT,
  ) {}

  /** Adds one event's JSON; it leaves on the loop's next pass, or now at the limit. */
  add(json: string): void {
    this.events.push(json);
    if (this.events.length >= this.limit) {
      this.flush();
    } else if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.flushSoon);
    }
  }

  // On the loop's next pass: the turn's own writes (the results in Redis,
  // the acks) go out first, so events never delay a task's outcome.
  private readonly flushSoon = (): void => {
    setImmediate(this.flush);
  };

  /** Sends the events held now, if any (also before the dispatcher closes). */
  readonly flush = (): void => {
    this.scheduled = false;
    const events = this.events;
    if (events.length === 0) {
      return;
    }
    this.events = [];
    this.publish(`[${events.join(',')}]`);
  };
}
