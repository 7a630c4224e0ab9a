import { SoftTimeLimitExceeded, TimeLimitExceeded } from '@celeriac/tasks';

/** How one run of a task ended. */
export type TaskOutcome =
  | { kind: 'success'; value: unknown }
  | { kind: 'failure'; error: unknown }
  | { kind: 'timeout'; error: TimeLimitExceeded }
  | { kind: 'terminated' };

/** Seconds; null means no limit. */
export interface TimeLimits {
  soft: number | null;
  hard: number | null;
}

/** Ends a run at once as `terminated`, its signal aborted with `reason`. */
export type Terminate = (reason: unknown) => void;

/** What the worker can do to a run from outside. */
export interface RunHandle {
  /** Aborts the run's signal (shutdown); the run may still finish. */
  abort(reason: unknown): void;
  /** Aborts the signal and stops waiting at once: `terminated` (revoke). */
  terminate: Terminate;
}

/**
 * The abort state of one run. The `AbortSignal` a task sees is made on
 * first read: most tasks never look at it, and an AbortController with its
 * EventTarget costs more than the rest of a no-op task's bookkeeping.
 */
export class RunSignal {
  private controller?: AbortController;
  private abortedWith?: { reason: unknown };

  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.abortedWith) {
        this.controller.abort(this.abortedWith.reason);
      }
    }
    return this.controller.signal;
  }

  get aborted(): boolean {
    return this.abortedWith !== undefined;
  }

  get reason(): unknown {
    return this.abortedWith?.reason;
  }

  /** Only the first abort counts, as with an AbortController. */
  abort(reason: unknown): void {
    if (this.abortedWith) {
      return;
    }
    this.abortedWith = { reason };
    this.controller?.abort(reason);
  }
}

/**
 * Runs a task under Celery's two limits: at the soft limit its signal is
 * aborted with `SoftTimeLimitExceeded` so it can clean up; at the hard limit
 * the worker stops waiting and the run counts as `TimeLimitExceeded` (a JS
 * task cannot be killed in-process; it is abandoned and its signal aborted).
 * `onStart` gets the run's handle before the task is called: shutdown
 * aborts the signal through it, revoke with terminate ends the run.
 * Per run: one promise, one timer when a limit is set, no AbortController
 * unless the task reads its signal.
 */
export function runWithTimeLimits(
  run: (signal: RunSignal) => Promise<unknown>,
  limits: TimeLimits,
  onStart?: (handle: RunHandle) => void,
): Promise<TaskOutcome> {
  const signal = new RunSignal();
  return new Promise<TaskOutcome>((resolve) => {
    let timer: NodeJS.Timeout | undefined;
    let done = false;
    const finish = (outcome: TaskOutcome): void => {
      if (done) {
        return;
      }
      done = true;
      clearTimeout(timer);
      resolve(outcome);
    };
    onStart?.({
      abort: (reason) => signal.abort(reason),
      terminate: (reason) => {
        signal.abort(reason);
        finish({ kind: 'terminated' });
      },
    });
    const { soft, hard } = limits;
    const onHard = () => {
      const error = new TimeLimitExceeded(hard ?? 0);
      signal.abort(error);
      finish({ kind: 'timeout', error });
    };
    // One timer per run: the soft limit's, which then arms the hard limit's.
    if (soft !== null && (hard === null || soft <= hard)) {
      timer = setTimeout(() => {
        signal.abort(new SoftTimeLimitExceeded(soft));
        if (hard !== null && !done) {
          timer = setTimeout(onHard, (hard - soft) * 1000);
        }
      }, soft * 1000);
    } else if (hard !== null) {
      timer = setTimeout(onHard, hard * 1000);
    }
    const failed = (error: unknown) =>
      finish({ kind: 'failure', error: explainAbort(error, signal) });
    try {
      run(signal).then((value) => finish({ kind: 'success', value }), failed);
    } catch (error) {
      failed(error);
    }
  });
}

// A task that lets the AbortError of its signal escape failed *because* of
// the abort: report the abort's reason (SoftTimeLimitExceeded, ...).
function explainAbort(error: unknown, signal: RunSignal): unknown {
  const name = (error as { name?: unknown } | null)?.name;
  return signal.aborted && name === 'AbortError' ? signal.reason : error;
}
