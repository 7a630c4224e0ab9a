import type { Logger } from '@nestjs/common';
import type { TaskRegistry } from '../registry/task.registry';
import { InvalidRateLimitError, tasksPerSecond } from './rate-limit';

/**
 * Celery's remote-control `rate_limit(task_name, rate_limit)`
 * (celery/worker/control.py), with its replies: the rate is checked first,
 * then the task must be known here; `0`/empty takes the limit off.
 */
export function setRateLimit(
  registry: TaskRegistry,
  args: Record<string, unknown>,
  logger: Logger,
): { ok: string } | { error: string } {
  const limit = args.rate_limit;
  if (
    limit !== null &&
    limit !== undefined &&
    typeof limit !== 'string' &&
    typeof limit !== 'number'
  ) {
    return { error: `Invalid rate limit string: ${JSON.stringify(limit)}` };
  }
  let perSecond: number;
  try {
    perSecond = tasksPerSecond(limit);
  } catch (error) {
    const reason =
      error instanceof InvalidRateLimitError ? error.message : String(error);
    return { error: `Invalid rate limit string: ${reason}` };
  }
  const name = args.task_name;
  const task = typeof name === 'string' ? registry.get(name) : undefined;
  if (!task) {
    logger.error({ msg: 'rate limit for an unknown task', task: name });
    return { error: 'unknown task' };
  }
  task.rateLimit = perSecond === 0 ? undefined : (limit ?? undefined);
  // Celery answers by the argument's truthiness: '0' is "set", 0 "disabled".
  if (!limit) {
    logger.log({ msg: 'rate limit disabled', task: task.name });
    return { ok: 'rate limit disabled successfully' };
  }
  logger.log({ msg: 'new rate limit set', task: task.name, rateLimit: limit });
  return { ok: 'new rate limit set successfully' };
}
