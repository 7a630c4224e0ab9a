import { TaskArgumentsError } from '../errors/task-arguments.error';

/**
 * Binds a message's args and kwargs to a task's declared parameters as
 * Python binds `fun(*args, **kwargs)`: kwargs that name a parameter fill its
 * position; the count must match exactly, unless the parameters end with
 * Python's `'*args'` (more positionals welcome) or `'**kwargs'` (other
 * keywords stay in `kwargs`).
 *
 * @throws TaskArgumentsError when they do not fit, with Python's wording.
 */
export function bindArguments(
  task: string,
  params: readonly string[],
  args: readonly unknown[],
  kwargs: Record<string, unknown>,
): { args: unknown[]; kwargs: Record<string, unknown> } {
  const varArgs = params.includes('*args');
  const varKwargs = params.includes('**kwargs');
  const named = params.filter((param) => !param.startsWith('*'));
  // kwargs are returned as sent, for the task's own reference.
  const bound = [...args];
  for (const [key, value] of Object.entries(kwargs)) {
    const position = named.indexOf(key);
    if (position === -1) {
      if (varKwargs) {
        continue;
      }
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
  if (args.length > named.length && !varArgs) {
    throw new TaskArgumentsError(
      `${task}() takes ${plural(named.length, 'positional argument')} but ${args.length} ${args.length === 1 ? 'was' : 'were'} given`,
    );
  }
  const missing = named.filter((_, index) => !(index in bound));
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
