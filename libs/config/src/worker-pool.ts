/** Where a worker runs its tasks (WORKER_POOL). */
export type WorkerPoolKind = 'event-loop' | 'processes' | 'threads';

/**
 * WORKER_POOL's accepted names: celeriac's own, plus Celery's `-P` names
 * where they mean the same (`solo` runs on the one loop, `prefork` forks).
 */
export const WORKER_POOL_NAMES: Record<string, WorkerPoolKind> = {
  'event-loop': 'event-loop',
  solo: 'event-loop',
  processes: 'processes',
  prefork: 'processes',
  threads: 'threads',
};

/** The pool WORKER_POOL names (an alias resolved). */
export function parseWorkerPool(name: string): WorkerPoolKind {
  const kind = WORKER_POOL_NAMES[name];
  if (!kind) {
    throw new RangeError(`unknown worker pool '${name}'`);
  }
  return kind;
}
