import type { INestApplication } from '@nestjs/common';
import { TASK_RUNNER, type TaskRunner } from '@celeriac/worker';

/**
 * A WORKER_POOL a suite runs in. The worker-semantics and revoke suites run
 * in each (one spec file per pool, one body: test/e2e/suites/); their
 * pool-independent tests (admission: expired, revoked before arrival, ETA)
 * only on the event loop.
 */
export type PoolUnderTest = 'event-loop' | 'processes' | 'threads';

/**
 * How long a test waits for a task that may need a fresh pool child (after
 * a hard limit or a terminate killed one): a child boots the task module,
 * seconds on a busy 2-core machine.
 */
export const CHILD_BOOT_MS = 45_000;

/**
 * How long a suite's beforeAll waits for its first tasks: every child boots
 * at once then, beside the other jest worker's suite (within BOOT_TIMEOUT_MS).
 */
export const WARM_UP_MS = 90_000;

/** The pids (processes) or thread ids (threads) of an in-process worker's live pool children. */
export function poolChildIds(worker: INestApplication): number[] {
  const runner = worker.get<unknown, TaskRunner | null>(TASK_RUNNER);
  const info = runner?.info() ?? {};
  const ids = info.processes ?? info['thread-ids'] ?? [];
  return Array.isArray(ids) ? (ids as number[]) : [];
}

/** Whether a process with this pid exists (signal 0 probes without sending). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
