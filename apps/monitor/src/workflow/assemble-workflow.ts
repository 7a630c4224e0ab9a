import type {
  TaskWorkflow,
  WorkflowEdge,
  WorkflowGroup,
  WorkflowNode,
} from '../contract/workflow';
import { anchorOf, relatedTasks } from './related-tasks';
import { type GroupDraft, WorkflowGraph } from './workflow-graph';
import { groupOf, type WorkflowSource } from './workflow-source';

/** A group shows this many members; the rest fold into one node. */
export const GROUP_MEMBERS_SHOWN = 12;
/** A workflow response holds at most this many nodes. */
export const MAX_WORKFLOW_NODES = 400;

/**
 * The workflow a task belongs to, from what the monitor knows: the tasks
 * sharing its root (Celery's `root_id`), groups (by id), parents, and the
 * plans the tasks' `task-received` events carry (celeriac workers'
 * `canvas` field), which name the steps not started yet (PENDING).
 * Without plans (a Python worker) the edges come from `parent_id` alone.
 *
 * @returns null when the monitor knows neither the task nor a plan naming it
 */
export function assembleWorkflow(
  taskId: string,
  source: WorkflowSource,
): TaskWorkflow | null {
  const anchor = anchorOf(taskId, source);
  if (anchor === undefined) {
    return null;
  }
  const related = relatedTasks(anchor, source);
  const graph = new WorkflowGraph();
  let truncated = related.truncated;
  for (const task of related.tasks) {
    graph.node(task.uuid, task.name);
    const groupId = groupOf(source, task.uuid);
    const group = groupId ? graph.group(groupId, null) : null;
    if (group) {
      graph.join(group, task.uuid);
    }
    const field = source.canvas(task.uuid);
    if (field) {
      graph.placeAfter(task.uuid, field, group);
      truncated ||= field.truncated === true;
    }
  }
  // What no plan explains is linked by its parent_id.
  for (const task of related.tasks) {
    const parent = task.parent_id;
    if (parent && graph.nodes.has(parent) && !graph.hasIncoming(task.uuid)) {
      graph.edge(parent, task.uuid, 'parent');
    }
  }
  for (const node of graph.nodes.values()) {
    const task = source.task(node.id);
    if (task) {
      node.name = task.name ?? node.name;
      node.state = task.state;
      node.runtime = task.runtime;
      node.worker = task.worker;
      node.seen = true;
    }
  }
  const anchorTask = source.task(anchor);
  const folded = foldGroups(graph, source);
  const capped = capNodes(folded.nodes, folded.edges, taskId);
  return {
    taskId,
    rootId: anchorTask?.root_id ?? anchor,
    nodes: capped.nodes,
    edges: capped.edges,
    groups: folded.groups,
    truncated: truncated || capped.truncated,
  };
}

/**
 * Big groups (a chord of 10 000) show their first members and one node
 * standing for the others, with their count by state; edges to and from
 * the folded members go to that node instead.
 */
function foldGroups(
  graph: WorkflowGraph,
  source: WorkflowSource,
): { nodes: WorkflowNode[]; edges: WorkflowEdge[]; groups: WorkflowGroup[] } {
  const foldedInto = new Map<string, string>();
  const extra = new Map<string, WorkflowNode>();
  const groups: WorkflowGroup[] = [];
  const chained = chainedFrom(graph);
  for (const group of graph.groups.values()) {
    const members = [...group.members];
    const size = Math.max(group.size ?? 0, members.length);
    if (size <= GROUP_MEMBERS_SHOWN) {
      groups.push(groupOut(group, members));
      continue;
    }
    // Only plain task members fold; a member with steps of its own stays.
    const foldable = members.filter(
      (id) =>
        graph.nodes.get(id)?.groupId === group.id &&
        chained.get(id)?.some((to) => to !== group.chordBody) !== true,
    );
    const foldableSet = new Set(foldable);
    const keep = new Set(
      foldable
        .slice(0, GROUP_MEMBERS_SHOWN - 1)
        .concat(members.filter((id) => !foldableSet.has(id))),
    );
    const fold = foldable.filter((id) => !keep.has(id));
    const moreId = `more:${group.id}`;
    const states: Record<string, number> = {};
    for (const id of fold) {
      foldedInto.set(id, moreId);
      const state = graph.nodes.get(id)?.state ?? 'PENDING';
      states[state] = (states[state] ?? 0) + 1;
    }
    // Members the plan counted but did not list, and no event named yet.
    const count = size - keep.size;
    const unlisted = count - fold.length;
    if (unlisted > 0) {
      states.PENDING = (states.PENDING ?? 0) + unlisted;
    }
    extra.set(moreId, {
      id: moreId,
      kind: 'more',
      name: `${count} more`,
      state: summaryState(states),
      runtime: null,
      worker: null,
      groupId: group.id,
      seen: fold.some((id) => source.task(id) !== undefined),
      folded: { count, states },
    });
    groups.push(
      groupOut(group, [...members.filter((id) => keep.has(id)), moreId]),
    );
  }
  const nodes: WorkflowNode[] = [];
  for (const node of graph.nodes.values()) {
    const into = foldedInto.get(node.id);
    if (into === undefined) {
      nodes.push(node);
    } else if (extra.has(into)) {
      nodes.push(extra.get(into) as WorkflowNode);
      extra.delete(into);
    }
  }
  nodes.push(...extra.values());
  const edges = new Map<string, WorkflowEdge>();
  for (const edge of graph.edges.values()) {
    const from = foldedInto.get(edge.from) ?? edge.from;
    const to = foldedInto.get(edge.to) ?? edge.to;
    if (from !== to && !edges.has(`${from}>${to}`)) {
      edges.set(`${from}>${to}`, { from, to, kind: edge.kind });
    }
  }
  return { nodes, edges: [...edges.values()], groups };
}

/** Per task, the steps a `chain` edge leads to from it. */
function chainedFrom(graph: WorkflowGraph): Map<string, string[]> {
  const chained = new Map<string, string[]>();
  for (const edge of graph.edges.values()) {
    if (edge.kind === 'chain') {
      chained.set(edge.from, [...(chained.get(edge.from) ?? []), edge.to]);
    }
  }
  return chained;
}

function groupOut(group: GroupDraft, members: string[]): WorkflowGroup {
  return {
    id: group.id,
    size: group.size,
    members,
    chordBody: group.chordBody,
  };
}

/** The state a folded node shows: the least advanced of its members'. */
function summaryState(states: Record<string, number>): string {
  for (const state of [
    'FAILURE',
    'STARTED',
    'PROGRESS',
    'RETRY',
    'RECEIVED',
    'PENDING',
  ]) {
    if ((states[state] ?? 0) > 0) {
      return state;
    }
  }
  return Object.keys(states)[0] ?? 'PENDING';
}

/** Keeps the first MAX_WORKFLOW_NODES nodes (and always the task asked about). */
function capNodes(
  nodes: WorkflowNode[],
  edges: WorkflowEdge[],
  taskId: string,
): { nodes: WorkflowNode[]; edges: WorkflowEdge[]; truncated: boolean } {
  if (nodes.length <= MAX_WORKFLOW_NODES) {
    return { nodes, edges, truncated: false };
  }
  const kept = nodes.slice(0, MAX_WORKFLOW_NODES);
  const asked = nodes.find((node) => node.id === taskId);
  if (asked && !kept.includes(asked)) {
    kept[kept.length - 1] = asked;
  }
  const ids = new Set(kept.map((node) => node.id));
  return {
    nodes: kept,
    edges: edges.filter((edge) => ids.has(edge.from) && ids.has(edge.to)),
    truncated: true,
  };
}
