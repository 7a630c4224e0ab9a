import type { TaskRecord } from '../contract/flower-task';

/** Flower's `SORT_KEYS`. */
export const SORT_KEYS = ['name', 'state', 'received', 'started'] as const;

/** The filters of Flower's `GET /api/tasks`, parsed. */
export interface TaskQuery {
  limit?: number;
  offset: number;
  sortBy?: { key: (typeof SORT_KEYS)[number]; descending: boolean };
  worker?: string;
  taskName?: string;
  state?: string;
  /** Epoch seconds. */
  receivedStart?: number;
  receivedEnd?: number;
  search?: string;
}

/** A query parameter that cannot be used; becomes a 400. */
export class TaskQueryError extends Error {
  constructor(
    readonly parameter: string,
    message: string,
  ) {
    super(message);
  }
}

function nonNegativeInt(name: string, value: string): number {
  if (!/^\d+$/.test(value)) {
    throw new TaskQueryError(name, `${name} must be a non-negative integer`);
  }
  return Number(value);
}

// Flower's format for received_start/received_end: %Y-%m-%d %H:%M, local time (UTC here).
function flowerDate(name: string, value: string): number {
  const match = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})$/.exec(value);
  if (!match) {
    throw new TaskQueryError(
      name,
      `${name} must be a date as YYYY-MM-DD HH:MM`,
    );
  }
  const [, y, mo, d, h, mi] = match.map(Number);
  const date = new Date(y, mo - 1, d, h, mi);
  if (Number.isNaN(date.getTime()) || date.getMonth() !== mo - 1) {
    throw new TaskQueryError(name, `${name} is not a valid date`);
  }
  return date.getTime() / 1000;
}

function single(name: string, value: unknown): string | undefined {
  if (value === undefined) {
    return undefined;
  }
  if (typeof value !== 'string') {
    throw new TaskQueryError(name, `${name} must be given once`);
  }
  return value;
}

/** "All" is Flower's "no filter". */
function filter(name: string, value: unknown): string | undefined {
  const text = single(name, value);
  return text === undefined || text === '' || text === 'All' ? undefined : text;
}

/**
 * Parses Flower's query parameters of `GET /api/tasks`.
 * @throws TaskQueryError on a malformed parameter
 */
export function parseTaskQuery(params: Record<string, unknown>): TaskQuery {
  const limit = single('limit', params.limit);
  const offset = single('offset', params.offset);
  const sortBy = single('sort_by', params.sort_by);
  const receivedStart = single('received_start', params.received_start);
  const receivedEnd = single('received_end', params.received_end);
  const query: TaskQuery = {
    offset: offset ? nonNegativeInt('offset', offset) : 0,
    worker: filter('workername', params.workername),
    taskName: filter('taskname', params.taskname),
    state: filter('state', params.state),
    search: filter('search', params.search),
  };
  if (limit) {
    query.limit = nonNegativeInt('limit', limit);
  }
  if (sortBy) {
    const key = sortBy.replace(/^-/, '');
    if (!(SORT_KEYS as readonly string[]).includes(key)) {
      throw new TaskQueryError(
        'sort_by',
        `sort_by must be one of ${SORT_KEYS.join(', ')}, optionally prefixed with -`,
      );
    }
    query.sortBy = {
      key: key as (typeof SORT_KEYS)[number],
      descending: sortBy.startsWith('-'),
    };
  }
  if (receivedStart) {
    query.receivedStart = flowerDate('received_start', receivedStart);
  }
  if (receivedEnd) {
    query.receivedEnd = flowerDate('received_end', receivedEnd);
  }
  return query;
}

/**
 * A search term as Flower's task filter reads it: `field:value` matches
 * that field (name, state, worker, args, kwargs, result; state exactly),
 * a bare word any of them; all terms must match.
 */
function matchesSearch(task: TaskRecord, search: string): boolean {
  const fields = [
    'name',
    'state',
    'worker',
    'args',
    'kwargs',
    'result',
  ] as const;
  return search
    .split(/\s+/)
    .filter((term) => term !== '')
    .every((term) => {
      const colon = term.indexOf(':');
      const field = colon > 0 ? term.slice(0, colon) : undefined;
      if (field && (fields as readonly string[]).includes(field)) {
        const value = term.slice(colon + 1).toLowerCase();
        const actual = String(
          task[field as (typeof fields)[number]] ?? '',
        ).toLowerCase();
        return field === 'state' ? actual === value : actual.includes(value);
      }
      const needle = term.toLowerCase();
      return fields.some((name) =>
        String(task[name] ?? '')
          .toLowerCase()
          .includes(needle),
      );
    });
}

function compare(a: string | number | null, b: string | number | null): number {
  // Missing values sort last either way, as nothing to show.
  if (a === null) {
    return b === null ? 0 : 1;
  }
  if (b === null) {
    return -1;
  }
  if (typeof a === 'number' && typeof b === 'number') {
    return a - b;
  }
  return String(a).localeCompare(String(b));
}

/** Filters, sorts and pages the tasks (Flower's `iter_tasks`). */
export function queryTasks(
  tasks: TaskRecord[],
  query: TaskQuery,
): TaskRecord[] {
  let selected = tasks.filter(
    (task) =>
      (query.worker === undefined || task.worker === query.worker) &&
      (query.taskName === undefined || task.name === query.taskName) &&
      (query.state === undefined || task.state === query.state) &&
      (query.receivedStart === undefined ||
        (task.received !== null && task.received > query.receivedStart)) &&
      (query.receivedEnd === undefined ||
        (task.received !== null && task.received < query.receivedEnd)) &&
      (query.search === undefined || matchesSearch(task, query.search)),
  );
  if (query.sortBy) {
    const { key, descending } = query.sortBy;
    selected = [...selected].sort((a, b) => {
      const order = compare(a[key], b[key]);
      const missing = a[key] === null || b[key] === null;
      return descending && !missing ? -order : order;
    });
  }
  const end =
    query.limit === undefined ? undefined : query.offset + query.limit;
  return selected.slice(query.offset, end);
}
