/**
 * `GET /api/monitor/tasks/{id}/workflow`: the canvas a task belongs to, as
 * the monitor knows it (camelCase JSON). Pure: the dashboard bundles it too.
 */

/**
 * Why one node follows another:
 * - `chain`: the next step of a chain (it gets the result as first argument);
 * - `group`: a fan-out into a group's (or chord header's) member;
 * - `chord`: a chord header member into the body that joins them;
 * - `link` / `linkError`: a callback / an errback (Celery's link, link_error);
 * - `parent`: only known from the child's `parent_id` (no plan says more,
 *   e.g. a Python worker's task, or a task sent from inside a task).
 */
export type WorkflowEdgeKind =
  'chain' | 'group' | 'chord' | 'link' | 'linkError' | 'parent';

/** A task of the workflow, or the members of a big group it folds. */
export interface WorkflowNode {
  /** The task id; `more:<group id>` for a folded node. */
  id: string;
  kind: 'task' | 'more';
  name: string | null;
  /** The task's state; PENDING for a planned task with no event yet. */
  state: string;
  runtime: number | null;
  worker: string | null;
  /** The group (or chord header) the task is a member of. */
  groupId: string | null;
  /** False for a task only known from the plan (no event about it yet). */
  seen: boolean;
  /** A folded node: how many members it stands for, by state. */
  folded?: { count: number; states: Record<string, number> };
}

export interface WorkflowEdge {
  from: string;
  to: string;
  kind: WorkflowEdgeKind;
}

/** A group or chord header: its members in order (as far as known). */
export interface WorkflowGroup {
  id: string;
  /** Members in the plan (null when only members seen are known). */
  size: number | null;
  /** Ids of the member nodes shown (first steps of chain members). */
  members: string[];
  /** The chord body's first task, when the group is a chord header. */
  chordBody: string | null;
}

export interface TaskWorkflow {
  /** The task asked about. */
  taskId: string;
  /** Its `root_id` (itself for a canvas's first task). */
  rootId: string;
  /** In plan order: a layout can keep members in the order they were given. */
  nodes: WorkflowNode[];
  edges: WorkflowEdge[];
  groups: WorkflowGroup[];
  /** Nodes left out: the workflow was larger than the monitor draws. */
  truncated: boolean;
}
