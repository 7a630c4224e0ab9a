import {
  SoftTimeLimitExceeded,
  TimeLimitExceeded,
} from '../errors/time-limit.errors';

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

/**
 * Runs a task under Celery's two limits: at the soft limit its signal is
 * aborted with `SoftTimeLimitExceeded` so it can clean up; at the hard limit
 * the worker stops waiting and the run counts as `TimeLimitExceeded` (a JS
 * task cannot be killed in-process; it is abandoned and its signal aborted).
 * `external` aborts the run's signal too (shutdown); `onTerminate` is handed
 * a function that aborts it and stops waiting at once, like the hard limit
 * (revoke with terminate). Per run: one AbortController, one timer.
 */
export async function runWithTimeLimits(
  run: (signal: AbortSignal) => Promise<unknown>,
  limits: TimeLimits,
  external: AbortSignal,
  onTerminate?: (terminate: Terminate) => void,
): Promise<TaskOutcome> {
  const controller = new AbortController();
  const { signal } = controller;
  const forward = () => controller.abort(external.reason);
  if (external.aborted) {
    forward();
  } else {
    external.addEventListener('abort', forward, { once: true });
  }
  // The hard limit and terminate both stop the wait: one promise for both.
  let stop: ((outcome: TaskOutcome) => void) | undefined;
  const stopped = new Promise<TaskOutcome>((resolve) => {
    stop = resolve;
  });
  const finished = run(signal).then(
    (value): TaskOutcome => ({ kind: 'success', value }),
    (error: unknown): TaskOutcome => ({
      kind: 'failure',
      error: explainAbort(error, signal),
    }),
  );
  onTerminate?.((reason) => {
    controller.abort(reason);
    stop?.({ kind: 'terminated' });
  });
  const { soft, hard } = limits;
  const onHard = () => {
    const error = new TimeLimitExceeded(hard ?? 0);
    controller.abort(error);
    stop?.({ kind: 'timeout', error });
  };
  // One timer per run: the soft limit's, which then arms the hard limit's.
  let timer: NodeJS.Timeout | undefined;
  if (soft !== null && (hard === null || soft <= hard)) {
    timer = setTimeout(() => {
      controller.abort(new SoftTimeLimitExceeded(soft));
      if (hard !== null) {
        timer = setTimeout(onHard, (hard - soft) * 1000);
      }
    }, soft * 1000);
  } else if (hard !== null) {
    timer = setTimeout(onHard, hard * 1000);
  }
  try {
    return await Promise.race([finished, stopped]);
  } finally {
    clearTimeout(timer);
    external.removeEventListener('abort', forward);
  }
}

// A task that lets the AbortError of its signal escape failed *because* of
// the abort: report the abort's reason (SoftTimeLimitExceeded, ...).
function explainAbort(error: unknown, signal: AbortSignal): unknown {
  const name = (error as { name?: unknown } | null)?.name;
  return signal.aborted && name === 'AbortError' ? signal.reason : error;
}
