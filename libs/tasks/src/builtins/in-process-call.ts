import { Signature } from '../canvas/signature';
import { bindArguments } from '../execution/bind-arguments';
import type { TaskRegistry } from '../registry/task.registry';
import type { TaskCall, TaskRequest } from '../task-call';
import type { SignatureDict } from '@celeriac/broker';

/** Celery's `celery.exceptions.NotRegistered`, as a Python client rebuilds it. */
export class NotRegisteredError extends Error {
  override readonly name = 'NotRegistered';
  readonly excType = 'NotRegistered';
  readonly excModule = 'celery.exceptions';
  readonly excMessage: unknown[];

  constructor(task: string) {
    super(`'${task}'`);
    this.excMessage = [task];
  }
}

/**
 * Celery's `signature(task).type(*args)`: runs a task registered on this
 * worker in this process, with `args` only (the signature's own args and
 * kwargs are not used, as in Celery's `xmap` / `xstarmap`).
 */
export async function callInProcess(
  registry: TaskRegistry,
  task: SignatureDict,
  args: unknown[],
  request: TaskRequest,
): Promise<unknown> {
  const { task: name } = Signature.fromDict(task);
  const handler = registry.handler(name);
  const definition = registry.get(name);
  if (!handler || !definition) {
    throw new NotRegisteredError(name);
  }
  const bound = bindArguments(name, definition.params, args, {});
  const call: TaskCall = { args: bound.args, kwargs: bound.kwargs, request };
  return await handler(call);
}
