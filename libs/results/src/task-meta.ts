/**
 * Celery's task meta document, as stored under `celery-task-meta-<id>`
 * (celery-protocol.md §C.2). Field names are Celery's; optional fields are
 * present only when Celery would write them.
 */
export interface TaskMeta {
  status: string;
  result: unknown;
  traceback: string | null;
  children: unknown[];
  date_done: string | null;
  group_id?: string;
  parent_id?: string;
  name?: string;
  args?: unknown[];
  kwargs?: Record<string, unknown>;
  worker?: string;
  retries?: number;
  queue?: string;
  task_id: string;
}

/**
 * An exception as Celery's JSON serializer encodes it (§C.4); the `result`
 * of FAILURE, RETRY and REVOKED must be this shape.
 */
export interface ExceptionInfo {
  exc_type: string;
  exc_message: unknown[];
  exc_module: string;
}

interface PythonErrorFields {
  excType: string;
  excModule: string;
  excMessage: unknown;
}

function hasPythonErrorFields(error: unknown): error is PythonErrorFields {
  if (typeof error !== 'object' || error === null) {
    return false;
  }
  const candidate = error as Partial<Record<keyof PythonErrorFields, unknown>>;
  return (
    typeof candidate.excType === 'string' &&
    typeof candidate.excModule === 'string' &&
    'excMessage' in candidate
  );
}

/**
 * Encodes a thrown value as Celery's exception dict.
 *
 * An error that already carries `excType`, `excModule` and `excMessage` (one
 * decoded from a Python result) keeps them. A JS `Error` becomes
 * `{exc_type: error.name, exc_message: [error.message], exc_module: 'builtins'}`,
 * with a plain `Error` named `Exception`, so Python rebuilds a builtin when the
 * names match (`TypeError`) and a synthesized class otherwise.
 *
 * @param error - whatever was thrown
 * @returns the dict to store as `result`
 */
export function toExceptionInfo(error: unknown): ExceptionInfo {
  if (hasPythonErrorFields(error)) {
    return {
      exc_type: error.excType,
      exc_message: Array.isArray(error.excMessage)
        ? [...(error.excMessage as unknown[])]
        : [error.excMessage],
      exc_module: error.excModule,
    };
  }
  if (isErrorLike(error)) {
    const name =
      error.name === '' || error.name === 'Error' ? 'Exception' : error.name;
    return {
      exc_type: name,
      exc_message: [error.message],
      exc_module: 'builtins',
    };
  }
  return {
    exc_type: 'Exception',
    exc_message: [String(error)],
    exc_module: 'builtins',
  };
}

// Duck-typed: errors from another realm (vm contexts, workers) fail instanceof.
function isErrorLike(
  error: unknown,
): error is { name: string; message: string } {
  return (
    error instanceof Error ||
    (typeof error === 'object' &&
      error !== null &&
      typeof (error as { name?: unknown }).name === 'string' &&
      typeof (error as { message?: unknown }).message === 'string')
  );
}

/**
 * Formats a date like Python's naive `datetime.utcnow().isoformat()`, which
 * is what Celery 5.2 writes in `date_done`: `2026-11-23T23:08:21.487000`.
 *
 * @param date - the instant to format (UTC is written, without a zone)
 * @returns six fraction digits and no zone suffix
 * @throws RangeError when the date is invalid
 */
export function formatCeleryDate(date: Date): string {
  // JS keeps milliseconds only; Python always prints microseconds.
  return `${date.toISOString().slice(0, 23)}000`;
}

// A busy worker stores several results per millisecond: one string for all.
let lastNowMs = Number.NaN;
let lastNowText = '';

/** {@link formatCeleryDate} of the current time. */
export function celeryDateNow(): string {
  const now = Date.now();
  if (now !== lastNowMs) {
    lastNowMs = now;
    lastNowText = formatCeleryDate(new Date(now));
  }
  return lastNowText;
}
