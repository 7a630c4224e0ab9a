import {
  emptyTask,
  isReadyState,
  type TaskRecord,
} from '../../src/contract/flower-task';

/** What the monitor sends about a task: its dict, some keys possibly absent. */
export type TaskUpdate = Partial<TaskRecord> & { uuid: string };

export type TaskSortKey =
  'received' | 'started' | 'name' | 'state' | 'runtime' | 'worker';

export interface TaskQuery {
  state?: string;
  name?: string;
  worker?: string;
  /** A piece of the id (or of args, kwargs, result). */
  search?: string;
  sortBy: TaskSortKey;
  descending: boolean;
}

export interface TaskPage {
  rows: TaskRecord[];
  /** How many tasks match the filters (rows is one page of them). */
  total: number;
}

/** The monitor keeps 10 000 by default; keep a margin, never grow forever. */
export const MAX_TASKS = 20_000;

/**
 * The later update's known values over the earlier ones. Known values are
 * not erased by nulls (a late event may know less), and a finished task
 * does not go back to running when an older event arrives after its last.
 */
function fold<T extends { state?: string }>(earlier: T, later: TaskUpdate): T {
  const folded: Record<string, unknown> = { ...earlier };
  for (const [key, value] of Object.entries(later)) {
    if (value !== undefined && value !== null) {
      folded[key] = value;
    }
  }
  if (
    earlier.state !== undefined &&
    isReadyState(earlier.state) &&
    later.state !== undefined &&
    !isReadyState(later.state)
  ) {
    folded.state = earlier.state;
  }
  return folded as T;
}

/** One update folded into what the store knows of the task. */
export function mergeTask(
  previous: TaskRecord | undefined,
  update: TaskUpdate,
): TaskRecord {
  return fold(previous ?? emptyTask(update.uuid), update);
}

/** Two pending updates of one task as one (see EventBatcher). */
export function combineUpdates(
  earlier: TaskUpdate,
  later: TaskUpdate,
): TaskUpdate {
  return fold(earlier, later);
}

function compareNullable(
  a: string | number | null,
  b: string | number | null,
): number {
  if (a === b) {
    return 0;
  }
  if (a === null) {
    return 1;
  }
  if (b === null) {
    return -1;
  }
  return a < b ? -1 : 1;
}

function sortValue(task: TaskRecord, key: TaskSortKey): string | number | null {
  switch (key) {
    case 'received':
      // A task seen only as sent (or only started) still sorts by its time.
      return task.received ?? task.sent ?? task.started ?? task.timestamp;
    case 'started':
      return task.started;
    case 'name':
      return task.name;
    case 'state':
      return task.state;
    case 'runtime':
      return task.runtime;
    case 'worker':
      return task.worker;
  }
}

export function matchesQuery(task: TaskRecord, query: TaskQuery): boolean {
  if (query.state && task.state !== query.state) {
    return false;
  }
  if (query.name && task.name !== query.name) {
    return false;
  }
  if (query.worker && task.worker !== query.worker) {
    return false;
  }
  const needle = query.search?.trim().toLowerCase();
  if (needle) {
    const haystacks = [task.uuid, task.args, task.kwargs, task.result];
    return haystacks.some((text) => text?.toLowerCase().includes(needle));
  }
  return true;
}

/** Filters, sorts (missing values last whatever the direction), pages. */
export function queryTasks(
  tasks: Iterable<TaskRecord>,
  query: TaskQuery,
  offset: number,
  limit: number,
): TaskPage {
  const matching: TaskRecord[] = [];
  for (const task of tasks) {
    if (matchesQuery(task, query)) {
      matching.push(task);
    }
  }
  const direction = query.descending ? -1 : 1;
  matching.sort((a, b) => {
    const va = sortValue(a, query.sortBy);
    const vb = sortValue(b, query.sortBy);
    if (va === null || vb === null) {
      return compareNullable(va, vb) || a.uuid.localeCompare(b.uuid);
    }
    return direction * compareNullable(va, vb) || a.uuid.localeCompare(b.uuid);
  });
  return {
    rows: matching.slice(offset, offset + limit),
    total: matching.length,
  };
}

/** Every task the dashboard knows, merged from the first load and SSE. */
export class TaskStore {
  private readonly tasks = new Map<string, TaskRecord>();

  constructor(private readonly capacity = MAX_TASKS) {}

  get size(): number {
    return this.tasks.size;
  }

  get(id: string): TaskRecord | undefined {
    return this.tasks.get(id);
  }

  values(): IterableIterator<TaskRecord> {
    return this.tasks.values();
  }

  /** Folds a batch of updates in; returns the ids whose task changed. */
  apply(updates: Iterable<TaskUpdate>): Set<string> {
    const changed = new Set<string>();
    for (const update of updates) {
      if (typeof update.uuid !== 'string' || update.uuid.length === 0) {
        continue;
      }
      this.tasks.set(
        update.uuid,
        mergeTask(this.tasks.get(update.uuid), update),
      );
      changed.add(update.uuid);
    }
    this.evictOldest();
    return changed;
  }

  query(query: TaskQuery, offset: number, limit: number): TaskPage {
    return queryTasks(this.tasks.values(), query, offset, limit);
  }

  countByState(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const task of this.tasks.values()) {
      counts.set(task.state, (counts.get(task.state) ?? 0) + 1);
    }
    return counts;
  }

  /** Distinct values of a field, sorted, for the filter menus. */
  distinct(field: 'name' | 'worker'): string[] {
    const seen = new Set<string>();
    for (const task of this.tasks.values()) {
      const value = task[field];
      if (value) {
        seen.add(value);
      }
    }
    return [...seen].sort();
  }

  /** Map order is arrival order: the first tasks seen go first. */
  private evictOldest(): void {
    const excess = this.tasks.size - this.capacity;
    if (excess <= 0) {
      return;
    }
    let removed = 0;
    for (const id of this.tasks.keys()) {
      if (removed >= excess) {
        break;
      }
      this.tasks.delete(id);
      removed++;
    }
  }
}
