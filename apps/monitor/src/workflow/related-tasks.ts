import type { TaskRecord } from '../contract/flower-task';
import { fieldIds, groupOf, type WorkflowSource } from './workflow-source';

/** A workflow gathers at most this many tasks (a chord of 10 000 fits). */
export const MAX_RELATED_TASKS = 25_000;

/** Who points at whom, from one pass over the monitor's tasks. */
interface RelationIndex {
  byRoot: Map<string, string[]>;
  byParent: Map<string, string[]>;
  byGroup: Map<string, string[]>;
}

function push(map: Map<string, string[]>, key: string, id: string): void {
  const list = map.get(key);
  if (list) {
    list.push(id);
  } else {
    map.set(key, [id]);
  }
}

function indexRelations(source: WorkflowSource): RelationIndex {
  const index: RelationIndex = {
    byRoot: new Map(),
    byParent: new Map(),
    byGroup: new Map(),
  };
  for (const task of source.tasks()) {
    if (task.root_id && task.root_id !== task.uuid) {
      push(index.byRoot, task.root_id, task.uuid);
    }
    if (task.parent_id) {
      push(index.byParent, task.parent_id, task.uuid);
    }
    const group = groupOf(source, task.uuid);
    if (group) {
      push(index.byGroup, group, task.uuid);
    }
  }
  return index;
}

/**
 * The task a workflow is drawn around: the task itself when the monitor
 * knows it, else a known task whose plan names it (a step not started yet).
 */
export function anchorOf(
  taskId: string,
  source: WorkflowSource,
): string | undefined {
  if (source.task(taskId)) {
    return taskId;
  }
  for (const [id, field] of source.canvases()) {
    if (fieldIds(field).includes(taskId)) {
      return id;
    }
  }
  return undefined;
}

/**
 * Every task of the anchor's workflow the monitor knows, earliest first:
 * those sharing its root, its groups' members, parents and children, and
 * the steps its plans name; followed transitively (a group's members are
 * each their own root).
 */
export function relatedTasks(
  anchor: string,
  source: WorkflowSource,
): { tasks: TaskRecord[]; truncated: boolean } {
  const index = indexRelations(source);
  const found = new Set<string>([anchor]);
  const queue = [anchor];
  let truncated = false;
  const visit = (id: string | null | undefined) => {
    if (!id || found.has(id)) {
      return;
    }
    if (found.size >= MAX_RELATED_TASKS) {
      truncated = true;
      return;
    }
    found.add(id);
    queue.push(id);
  };
  // An index, not shift(): a chord of 10 000 would make shift() quadratic.
  for (let at = 0; at < queue.length; at++) {
    const next = queue[at];
    const task = source.task(next);
    const root = task?.root_id ?? next;
    visit(root);
    index.byRoot.get(root)?.forEach(visit);
    index.byRoot.get(next)?.forEach(visit);
    visit(task?.parent_id);
    index.byParent.get(next)?.forEach(visit);
    const group = groupOf(source, next);
    if (group) {
      index.byGroup.get(group)?.forEach(visit);
    }
    const field = source.canvas(next);
    if (field) {
      fieldIds(field).forEach(visit);
    }
  }
  const order = [...found];
  const tasks = order
    .map((id) => source.task(id))
    .filter((task): task is TaskRecord => task !== undefined);
  const position = new Map(order.map((id, i) => [id, i]));
  // Earliest first, so the first step's plan places the nodes in its order.
  tasks.sort(
    (a, b) =>
      firstSeen(a) - firstSeen(b) ||
      (position.get(a.uuid) ?? 0) - (position.get(b.uuid) ?? 0),
  );
  return { tasks, truncated };
}

function firstSeen(task: TaskRecord): number {
  return (
    task.sent ?? task.received ?? task.started ?? task.timestamp ?? Infinity
  );
}
