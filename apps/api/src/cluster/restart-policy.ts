/** Tunables of {@link RestartPolicy}; the defaults suit a production api. */
export interface RestartPolicyOptions {
  /** The delay before replacing the first crashed worker of a series. */
  firstDelayMs: number;
  /** The longest delay, however many crashes came in a row. */
  maxDelayMs: number;
  /** A worker that lived this long ends a series: the next crash starts afresh. */
  stableAfterMs: number;
}

export const DEFAULT_RESTART_POLICY: RestartPolicyOptions = {
  firstDelayMs: 100,
  maxDelayMs: 10_000,
  stableAfterMs: 30_000,
};

/** What the primary does about a worker that exited. */
export type ExitDecision =
  | { action: 'restart'; delayMs: number; crashesInARow: number }
  /** It was asked to stop (a shutdown): nothing to replace. */
  | { action: 'none' }
  /** No worker ever came up: the api cannot start (a config error, say). */
  | { action: 'give-up' };

/** Facts about one worker's exit, as the primary saw them. */
export interface WorkerExit {
  /** The primary is shutting down: every exit is expected. */
  shuttingDown: boolean;
  /** The worker had started listening on the api port. */
  listened: boolean;
  /** How long it ran, in ms. */
  livedMs: number;
}

/**
 * Replaces crashed workers with exponential backoff: the first crash of a
 * series after firstDelayMs, each further one twice as late, up to
 * maxDelayMs, so a crash loop (Redis refusing every connection, a bad
 * deploy) does not spin the CPU. A worker that stayed up stableAfterMs
 * ends the series. Before any worker has listened, an exit means the api
 * cannot boot at all: the primary gives up, as a single process would.
 */
export class RestartPolicy {
  private crashesInARow = 0;
  private anyListened = false;

  constructor(
    private readonly options: RestartPolicyOptions = DEFAULT_RESTART_POLICY,
  ) {}

  /** A worker started listening on the api port. */
  listening(): void {
    this.anyListened = true;
  }

  decide(exit: WorkerExit): ExitDecision {
    if (exit.shuttingDown) {
      return { action: 'none' };
    }
    if (!this.anyListened && !exit.listened) {
      return { action: 'give-up' };
    }
    if (exit.livedMs >= this.options.stableAfterMs) {
      this.crashesInARow = 0;
    }
    this.crashesInARow += 1;
    const delayMs = Math.min(
      this.options.firstDelayMs * 2 ** (this.crashesInARow - 1),
      this.options.maxDelayMs,
    );
    return { action: 'restart', delayMs, crashesInARow: this.crashesInARow };
  }
}
