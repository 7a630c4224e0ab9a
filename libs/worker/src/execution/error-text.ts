import type { ExceptionInfo } from '@celeriac/results';

/** `TypeError: add_task() takes 2 positional arguments but 3 were given` */
export function describeException(exception: ExceptionInfo): string {
  const message = exception.exc_message
    .map((part) => (typeof part === 'string' ? part : JSON.stringify(part)))
    .join(', ');
  return `${exception.exc_type}: ${message}`;
}

/** The error's stack, as the result's `traceback`. */
export function stackOf(error: unknown): string | null {
  const stack = (error as { stack?: unknown } | null)?.stack;
  return typeof stack === 'string' ? stack : null;
}

export function errorName(error: unknown): string | undefined {
  const name = (error as { name?: unknown } | null)?.name;
  return typeof name === 'string' ? name : undefined;
}
