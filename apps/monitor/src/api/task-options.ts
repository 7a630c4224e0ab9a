import type { SendTaskOptions } from '@celeriac/tasks';
import { badRequest } from '../http/problem';

/** The body of Flower's async-apply / send-task, parsed. */
export interface TaskSubmission {
  args: unknown[];
  kwargs: Record<string, unknown>;
  options: SendTaskOptions;
}

const OPTION_NAMES = [
  'queue',
  'routing_key',
  'exchange',
  'countdown',
  'eta',
  'expires',
  'priority',
  'task_id',
  'time_limit',
  'soft_time_limit',
];

// Flower's DATE_FORMAT '%Y-%m-%d %H:%M:%S.%f' (local time; UTC here), or ISO 8601.
function parseDate(name: string, value: unknown): Date {
  if (typeof value === 'string') {
    const flower =
      /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?$/.exec(
        value,
      );
    const date = flower
      ? new Date(
          Number(flower[1]),
          Number(flower[2]) - 1,
          Number(flower[3]),
          Number(flower[4]),
          Number(flower[5]),
          Number(flower[6]),
          Math.floor(Number((flower[7] ?? '0').padEnd(6, '0')) / 1000),
        )
      : new Date(value);
    if (!Number.isNaN(date.getTime())) {
      return date;
    }
  }
  throw badRequest(
    `${name} must be a date as YYYY-MM-DD HH:MM:SS.ffffff or ISO 8601`,
  );
}

/** A number (or numeric string) not below `min`; else a 400 naming `name`. */
export function parseNumber(name: string, value: unknown, min = 0): number {
  const number =
    typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof number !== 'number' || !Number.isFinite(number) || number < min) {
    throw badRequest(`${name} must be a number not less than ${min}`);
  }
  return number;
}

function parseString(name: string, value: unknown): string {
  if (typeof value !== 'string' || value === '' || value.length > 255) {
    throw badRequest(`${name} must be a non-empty string`);
  }
  return value;
}

/**
 * Parses the JSON body Flower's `get_task_args` reads: `args` (a list),
 * `kwargs` (an object) and `apply_async` options; unknown options are
 * refused, so a typo is not silently ignored.
 */
export function parseTaskSubmission(body: unknown): TaskSubmission {
  const options =
    body === undefined || body === null || body === '' ? {} : body;
  if (typeof options !== 'object' || Array.isArray(options)) {
    throw badRequest(
      'the body must be a JSON object: {"args": [], "kwargs": {}, ...options}',
    );
  }
  const {
    args = [],
    kwargs = {},
    ...rest
  } = options as Record<string, unknown>;
  if (!Array.isArray(args)) {
    throw badRequest('args must be an array');
  }
  if (typeof kwargs !== 'object' || kwargs === null || Array.isArray(kwargs)) {
    throw badRequest('kwargs must be an object');
  }
  const unknown = Object.keys(rest).filter(
    (key) => !OPTION_NAMES.includes(key),
  );
  if (unknown.length > 0) {
    throw badRequest(
      `unknown options: ${unknown.join(', ')} (supported: ${OPTION_NAMES.join(', ')})`,
    );
  }
  const send: SendTaskOptions = {};
  if (rest.queue !== undefined) {
    send.queue = parseString('queue', rest.queue);
  } else if (rest.routing_key !== undefined) {
    send.queue = parseString('routing_key', rest.routing_key);
  }
  if (rest.task_id !== undefined) {
    send.taskId = parseString('task_id', rest.task_id);
  }
  if (rest.countdown !== undefined) {
    send.countdown = parseNumber('countdown', rest.countdown);
  }
  if (rest.eta !== undefined) {
    send.eta = parseDate('eta', rest.eta);
  }
  if (rest.expires !== undefined) {
    const numeric =
      typeof rest.expires === 'number' ||
      (typeof rest.expires === 'string' && /^\d+(\.\d+)?$/.test(rest.expires));
    send.expires = numeric
      ? parseNumber('expires', rest.expires)
      : parseDate('expires', rest.expires);
  }
  if (rest.priority !== undefined) {
    const priority = parseNumber('priority', rest.priority);
    if (!Number.isInteger(priority) || priority > 255) {
      throw badRequest('priority must be an integer from 0 to 255');
    }
    send.priority = priority;
  }
  if (rest.time_limit !== undefined) {
    send.timeLimit = parseNumber('time_limit', rest.time_limit, 0.001);
  }
  if (rest.soft_time_limit !== undefined) {
    send.softTimeLimit = parseNumber(
      'soft_time_limit',
      rest.soft_time_limit,
      0.001,
    );
  }
  return { args, kwargs: kwargs as Record<string, unknown>, options: send };
}

/** A task id or name taken from a path: non-empty, printable, bounded. */
export function checkPathName(what: string, value: string): string {
  if (!/^[\x21-\x7e]{1,255}$/.test(value)) {
    throw badRequest(
      `${what} must be 1 to 255 printable characters without spaces`,
    );
  }
  return value;
}
