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

/**
 * Runs a task under Celery's two limits: at the soft limit its signal is
 * aborted with `SoftTimeLimitExceeded` so it can clean up; at the hard limit
 * the worker stops waiting and the run counts as `TimeLimitExceeded` (a JS
 * task cannot be killed in-process; it is abandoned and its signal aborted).
 * `external` aborts the run's signal too (shutdown); `terminate` (revoke
 * with terminate) aborts it and stops waiting at once, like the hard limit.
 */
export async function runWithTimeLimits(
  run: (signal: AbortSignal) => Promise<unknown>,
  limits: TimeLimits,
  external: AbortSignal,
  terminate?: AbortSignal,
): Promise<TaskOutcome> {
  const controller = new AbortController();
  const forward = () => controller.abort(external.reason);
  if (external.aborted) {
    forward();
  } else {
    external.addEventListener('abort', forward, { once: true });
  }
  // One timer per run: the soft limit's, which then arms the hard limit's.
  let timer: NodeJS.Timeout | undefined;
  const { soft, hard } = limits;
  let onHard: (() => void) | undefined;
  const armHard = (afterSeconds: number) => {
    timer = setTimeout(() => onHard?.(), afterSeconds * 1000);
  };
  const finished = run(controller.signal).then(
    (value): TaskOutcome => ({ kind: 'success', value }),
    (error: unknown): TaskOutcome => ({
      kind: 'failure',
      error: explainAbort(error, controller.signal),
    }),
  );
  const contenders = [finished];
  let onTerminate: (() => void) | undefined;
  if (terminate) {
    contenders.push(
      new Promise<TaskOutcome>((resolve) => {
        onTerminate = () => {
          controller.abort(terminate.reason);
          resolve({ kind: 'terminated' });
        };
        if (terminate.aborted) {
          onTerminate();
        } else {
          terminate.addEventListener('abort', onTerminate, { once: true });
        }
      }),
    );
  }
  if (hard !== null) {
    contenders.push(
      new Promise<TaskOutcome>((resolve) => {
        onHard = () => {
          const error = new TimeLimitExceeded(hard);
          controller.abort(error);
          resolve({ kind: 'timeout', error });
        };
      }),
    );
  }
  if (soft !== null && (hard === null || soft <= hard)) {
    timer = setTimeout(() => {
      controller.abort(new SoftTimeLimitExceeded(soft));
      if (hard !== null) {
        armHard(hard - soft);
      }
    }, soft * 1000);
  } else if (hard !== null) {
    armHard(hard);
  }
  try {
    return await Promise.race(contenders);
  } finally {
    clearTimeout(timer);
    external.removeEventListener('abort', forward);
    if (onTerminate) {
      terminate?.removeEventListener('abort', onTerminate);
    }
  }
}

// A task that lets the AbortError of its signal escape failed *because* of
// the abort: report the abort's reason (SoftTimeLimitExceeded, ...).
function explainAbort(error: unknown, signal: AbortSignal): unknown {
  const name = (error as { name?: unknown } | null)?.name;
  return signal.aborted && name === 'AbortError' ? signal.reason : error;
}
