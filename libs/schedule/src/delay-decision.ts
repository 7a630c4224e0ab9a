import { createHash } from 'node:crypto';

/**
 * How long a task with this ETA must wait in BullMQ, or null when it should
 * be published (api) or held (worker) as usual: no ETA, an unparsable one,
 * one within `thresholdSeconds`, or a threshold of 0 (delayed handoff off).
 */
export function delayBeyondThreshold(
  eta: string | null | undefined,
  thresholdSeconds: number,
  nowMs: number = Date.now(),
): number | null {
  if (thresholdSeconds <= 0 || eta === null || eta === undefined) {
    return null;
  }
  const due = Date.parse(eta);
  if (Number.isNaN(due)) {
    return null;
  }
  const delay = due - nowMs;
  return delay > thresholdSeconds * 1000 ? delay : null;
}

/**
 * The BullMQ job id of a delayed task: its task id, so a redelivered or
 * re-submitted message is not scheduled twice. BullMQ refuses ids with a
 * colon or that look like integers; those are hashed instead.
 */
export function delayedJobId(taskId: string): string {
  const acceptable =
    !taskId.includes(':') && `${parseInt(taskId, 10)}` !== taskId;
  return acceptable
    ? taskId
    : `task-${createHash('sha256').update(taskId).digest('hex')}`;
}
