import { Logger } from '@nestjs/common';
import { isRedisUnavailable } from './errors/result-backend-unavailable.error';
import type { ResultRepository, StoreResultExtra } from './result.repository';
import { TaskState } from './task-state';

// Error replies of a Redis node in the middle of a Sentinel switch: a demoted
// master (READONLY), a replica still loading or cut from its master.
const SWITCH_REPLIES = ['READONLY', 'LOADING', 'MASTERDOWN'];

const logger = new Logger('TaskProgress');

/** Whether `error` says Redis is down or switching masters, not that the write was wrong. */
export function isRedisOutage(error: unknown): boolean {
  return (
    isRedisUnavailable(error) ||
    (error instanceof Error &&
      SWITCH_REPLIES.some((reply) => error.message.startsWith(reply)))
  );
}

/**
 * Stores a running task's PROGRESS (its `request.progress(meta)`),
 * best-effort: progress is a report, superseded by the next one and by the
 * outcome, so a Redis outage or a Sentinel switch must not fail the task.
 * Such a write is dropped with a warning; anything else (meta that cannot
 * be encoded, a script error) still throws.
 *
 * @returns true when stored; false when dropped, or refused by a stored SUCCESS
 */
export async function storeProgressBestEffort(
  results: Pick<ResultRepository, 'storeResult'>,
  taskId: string,
  meta: Record<string, unknown>,
  extra?: StoreResultExtra,
): Promise<boolean> {
  try {
    return await results.storeResult(taskId, TaskState.Progress, meta, extra);
  } catch (error) {
    if (!isRedisOutage(error)) {
      throw error;
    }
    logger.warn({
      msg: 'progress not stored: Redis unavailable; dropped, the task goes on',
      taskId,
      error: (error as Error).message,
    });
    return false;
  }
}
