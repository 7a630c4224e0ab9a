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
  // Python looks at keywords first, then at the positional count.
  if (args.length > params.length) {
    throw new TaskArgumentsError(
      `${task}() takes ${plural(params.length, 'positional argument')} but ${args.length} ${args.length === 1 ? 'was' : 'were'} given`,
    );
  }
  const missing = params.filter((_, index) => !(index in bound));
  if (missing.length > 0) {
    throw new TaskArgumentsError(
      `${task}() missing ${plural(missing.length, 'required positional argument')}: ${pyNameList(missing)}`,
    );
  }
  return { args: bound, kwargs };
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

/** Python's list of names: `'a'`, `'a' and 'b'`, `'a', 'b', and 'c'`. */
function pyNameList(names: readonly string[]): string {
  const quoted = names.map((name) => `'${name}'`);
  if (quoted.length <= 2) {
    return quoted.join(' and ');
  }
  return `${quoted.slice(0, -1).join(', ')}, and ${quoted[quoted.length - 1]}`;
}
