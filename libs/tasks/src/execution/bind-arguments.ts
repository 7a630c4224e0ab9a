import { TaskArgumentsError } from '../errors/task-arguments.error';

/**
 * Binds a message's args and kwargs to a task's declared parameters as
 * Python binds `fun(*args, **kwargs)`: kwargs that name a parameter fill its
 * position; the count must match exactly.
 *
 * @throws TaskArgumentsError when they do not fit, with Python's wording.
 */
export function bindArguments(
  task: string,
  params: readonly string[],
  args: readonly unknown[],
  kwargs: Record<string, unknown>,
): { args: unknown[]; kwargs: Record<string, unknown> } {
  // kwargs are returned as sent, for the task's own reference.
  if (args.length > params.length) {
    throw new TaskArgumentsError(
      `${task}() takes ${params.length} positional arguments but ${args.length} were given`,
    );
  }
  const bound = [...args];
  for (const [key, value] of Object.entries(kwargs)) {
    const position = params.indexOf(key);
    if (position === -1) {
      throw new TaskArgumentsError(
        `${task}() got an unexpected keyword argument '${key}'`,
      );
    }
    if (position < args.length) {
      throw new TaskArgumentsError(
        `${task}() got multiple values for argument '${key}'`,
      );
    }
    bound[position] = value;
  }
  const missing = params.filter((_, index) => !(index in bound));
  if (missing.length > 0) {
    throw new TaskArgumentsError(
      `${task}() missing ${missing.length} required positional argument${missing.length > 1 ? 's' : ''}: ${missing.map((name) => `'${name}'`).join(', ')}`,
    );
  }
  return { args: bound, kwargs };
}
