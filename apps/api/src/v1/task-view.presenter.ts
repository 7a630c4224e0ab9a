import { isReadyState, type TaskMeta } from '@celeriac/results';
import { presentTask } from '../result/result.presenter';
import type { TaskViewDto } from './dto/task-view.dto';

/** The `/v1` view of a task's Celery meta (extended fields when stored). */
export function presentTaskView(taskId: string, meta: TaskMeta): TaskViewDto {
  const seed = presentTask(taskId, meta);
  return {
    ...seed,
    ready: isReadyState(meta.status),
    ...(meta.name === undefined ? {} : { name: meta.name }),
    ...(meta.args === undefined ? {} : { args: meta.args }),
    ...(meta.kwargs === undefined ? {} : { kwargs: meta.kwargs }),
    ...(meta.worker === undefined ? {} : { worker: meta.worker }),
    ...(meta.retries === undefined ? {} : { retries: meta.retries }),
    date_done: meta.date_done,
    parent_id: meta.parent_id ?? null,
    group_id: meta.group_id ?? null,
    children: childIds(meta.children),
  };
}

/** Celery's `children`: `[[[id, parent], null], ...]` or group tuples. */
function childIds(children: unknown[]): string[] {
  const ids: string[] = [];
  const visit = (node: unknown) => {
    if (!Array.isArray(node)) {
      return;
    }
    const [head, rest] = node as [unknown, unknown];
    if (Array.isArray(head) && typeof head[0] === 'string') {
      ids.push(head[0]);
      if (Array.isArray(rest)) {
        rest.forEach(visit);
      }
    }
  };
  children.forEach(visit);
  return ids;
}
