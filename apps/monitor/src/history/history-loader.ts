import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { Redis } from 'ioredis';
import {
  argsRepr,
  exceptionRepr,
  kwargsRepr,
  saferepr,
} from '@celeriac/broker';
import { CeleriacConfig } from '@celeriac/config';
import { REDIS_CLIENT, type TaskMeta } from '@celeriac/results';
import { EventsState } from '../state/events-state';
import { CanvasIndex } from '../workflow/canvas-index';
import { emptyTask, type TaskRecord } from '../contract/flower-task';

const META_PREFIX = 'celery-task-meta-';

/**
 * A task as the result backend remembers it (celery-protocol.md §C.2, with
 * `result_extended` fields when the worker wrote them); null when the
 * document is not a task meta.
 */
export function taskFromMeta(key: string, json: string): TaskRecord | null {
  let meta: Partial<TaskMeta>;
  try {
    meta = JSON.parse(json) as Partial<TaskMeta>;
  } catch {
    return null;
  }
  if (
    typeof meta !== 'object' ||
    meta === null ||
    typeof meta.status !== 'string'
  ) {
    return null;
  }
  const uuid =
    meta.task_id ?? key.slice(key.indexOf(META_PREFIX) + META_PREFIX.length);
  const task = emptyTask(uuid);
  const done = meta.date_done ? Date.parse(meta.date_done) / 1000 : null;
  const doneAt = done !== null && Number.isFinite(done) ? done : null;
  task.state = meta.status;
  task.name = meta.name ?? null;
  task.args = Array.isArray(meta.args) ? argsRepr(meta.args, 'list') : null;
  task.kwargs =
    meta.kwargs && typeof meta.kwargs === 'object'
      ? kwargsRepr(meta.kwargs)
      : null;
  task.worker = meta.worker ?? null;
  task.retries = meta.retries ?? null;
  task.routing_key = meta.queue ?? null;
  task.parent_id = meta.parent_id ?? null;
  task.parent = task.parent_id;
  task.traceback = meta.traceback ?? null;
  task.timestamp = doneAt;
  if (meta.status === 'SUCCESS') {
    task.result = saferepr(meta.result);
    task.succeeded = doneAt;
  } else if (meta.status === 'FAILURE') {
    task.exception = exceptionRepr(meta.result);
    task.failed = doneAt;
  } else if (meta.status === 'REVOKED') {
    task.revoked = doneAt;
  } else if (meta.status === 'PROGRESS') {
    task.progress = progressOf(meta.result);
  }
  return task;
}

/** The `group_id` a result document names (a workflow's group), if any. */
export function storedGroupOf(json: string): string | undefined {
  // Most documents name no group: skip parsing them a second time.
  if (!json.includes('"group_id"')) {
    return undefined;
  }
  try {
    const meta = JSON.parse(json) as { group_id?: unknown } | null;
    return typeof meta?.group_id === 'string' ? meta.group_id : undefined;
  } catch {
    return undefined;
  }
}

/** `{current, total}` from a PROGRESS meta, else null. */
export function progressOf(
  result: unknown,
): { current: number; total: number } | null {
  if (typeof result !== 'object' || result === null) {
    return null;
  }
  const { current, total } = result as { current?: unknown; total?: unknown };
  return typeof current === 'number' && typeof total === 'number'
    ? { current, total }
    : null;
}

/**
 * Rebuilds recent history from the result backend at start-up. Flower keeps
 * its tasks in memory only, so a restart forgets everything that happened
 * before; the `celery-task-meta-*` documents (kept RESULT_EXPIRES, a day by
 * default) still know each task's state, result and, when the worker wrote
 * extended meta, its name, arguments and worker. The newest
 * MONITOR_MAX_TASKS are loaded; live events win over them.
 */
@Injectable()
export class HistoryLoader implements OnApplicationBootstrap {
  private readonly logger = new Logger(HistoryLoader.name);
  /** Resolves once the history is loaded (or could not be). */
  loaded: Promise<void> = Promise.resolve();

  constructor(
    @Inject(REDIS_CLIENT) private readonly redis: Redis,
    private readonly state: EventsState,
    @Inject(CeleriacConfig) private readonly config: CeleriacConfig,
    private readonly canvases: CanvasIndex,
  ) {}

  onApplicationBootstrap(): void {
    this.loaded = this.load().then(
      () => undefined,
      (error: unknown) =>
        this.logger.warn({ msg: 'history not loaded', err: String(error) }),
    );
  }

  async load(): Promise<number> {
    const tasks: TaskRecord[] = [];
    const groups = new Map<string, string>();
    let cursor = '0';
    do {
      const [next, keys] = await this.redis.scan(
        cursor,
        'MATCH',
        `${META_PREFIX}*`,
        'COUNT',
        1000,
      );
      cursor = next;
      if (keys.length > 0) {
        const values = await this.redis.mget(...keys);
        keys.forEach((key, index) => {
          const value = values[index];
          const task = value ? taskFromMeta(key, value) : null;
          if (task && value) {
            tasks.push(task);
            const group = storedGroupOf(value);
            if (group) {
              groups.set(task.uuid, group);
            }
          }
        });
      }
    } while (cursor !== '0');
    // Newest last, so the state's recency order matches; pending ones (no date) oldest.
    tasks.sort((a, b) => (a.timestamp ?? 0) - (b.timestamp ?? 0));
    const newest = tasks.slice(-this.config.monitor.maxTasks);
    this.state.restore(newest);
    // The workflow graph's groups, for tasks whose events are long gone.
    for (const task of newest) {
      const group = groups.get(task.uuid);
      if (group) {
        this.canvases.recordStoredGroup(task.uuid, group);
      }
    }
    this.logger.log({
      msg: 'history loaded from the result backend',
      tasks: newest.length,
    });
    return newest.length;
  }
}
