import type { Logger } from '@nestjs/common';
import type { TaskMessage } from '@celeriac/broker';
import type { TaskOptions } from '../task-options';
import {
  type ConcurrencyKey,
  isConcurrencyKey,
  messageConcurrency,
} from './limit-headers';

/** The message's own key, else the one its declaration derives. */
export function concurrencyKeyOf(
  message: TaskMessage,
  definition: TaskOptions,
  bound: { args: unknown[]; kwargs: Record<string, unknown> },
  logger: Logger,
): ConcurrencyKey | undefined {
  const own = messageConcurrency(message.headers);
  if (own || !definition.concurrency) {
    return own;
  }
  const { key, limit } = definition.concurrency;
  let derived: string | null | undefined;
  try {
    derived =
      typeof key === 'string'
        ? key
        : key({
            id: message.headers.id,
            task: message.headers.task,
            args: bound.args,
            kwargs: bound.kwargs,
          });
  } catch (error) {
    logger.error({
      msg: 'concurrency key function failed: the task runs without a key',
      taskId: message.headers.id,
      task: message.headers.task,
      err: error,
    });
    return undefined;
  }
  if (derived === null || derived === undefined || derived === '') {
    return undefined;
  }
  if (!isConcurrencyKey(derived, limit)) {
    logger.error({
      msg: 'invalid concurrency key or limit: the task runs without a key',
      taskId: message.headers.id,
      task: message.headers.task,
      key: derived,
      limit,
    });
    return undefined;
  }
  return { key: derived, limit };
}
