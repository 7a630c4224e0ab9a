import type {
  TaskWorkflow,
  WorkflowEdge,
  WorkflowGroup,
  WorkflowNode,
} from '../../src/contract/workflow';

export const NODE_WIDTH = 200;
export const NODE_HEIGHT = 44;
const LAYER_GAP = 72;
const ROW_GAP = 14;
const PADDING = 20;
/** Room around a group's members for its frame and label. */
const BOX_MARGIN = 8;
const BOX_LABEL = 14;

export interface PlacedNode {
  node: WorkflowNode;
  layer: number;
  x: number;
  y: number;
}

export interface PlacedEdge {
  edge: WorkflowEdge;
  /** An SVG path from the source's right side to the target's left side. */
  path: string;
}

/** A frame around a group's (or chord header's) members. */
export interface GroupFrame {
  group: WorkflowGroup;
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface WorkflowLayout {
  width: number;
  height: number;
  nodes: PlacedNode[];
  edges: PlacedEdge[];
  frames: GroupFrame[];
}

/**
 * Longest path from the sources: a chain's steps one layer apart, a group's
 * members in one layer, a chord's body after the last of its header. A
 * cycle (which no canvas makes) leaves its nodes in layer 0.
 */
export function assignLayers(
  nodes: readonly WorkflowNode[],
  edges: readonly WorkflowEdge[],
): Map<string, number> {
  const layer = new Map(nodes.map((node) => [node.id, 0]));
  const incoming = new Map(nodes.map((node) => [node.id, 0]));
  const next = new Map<string, string[]>();
  for (const { from, to } of edges) {
    if (!layer.has(from) || !layer.has(to)) {
      continue;
    }
    incoming.set(to, (incoming.get(to) ?? 0) + 1);
    next.set(from, [...(next.get(from) ?? []), to]);
  }
  const ready = nodes
    .filter((node) => incoming.get(node.id) === 0)
    .map((node) => node.id);
  for (let at = 0; at < ready.length; at++) {
    const id = ready[at];
    for (const to of next.get(id) ?? []) {
      layer.set(to, Math.max(layer.get(to) ?? 0, (layer.get(id) ?? 0) + 1));
      const left = (incoming.get(to) ?? 0) - 1;
      incoming.set(to, left);
      if (left === 0) {
        ready.push(to);
      }
    }
  }
  return layer;
}

/**
 * Lays a workflow out left to right: layers as columns, each column
 * centred, nodes in a column ordered by where their predecessors are (then
 * by the workflow's order, which keeps a group's members as given).
 */
export function layoutWorkflow(workflow: TaskWorkflow): WorkflowLayout {
  const { nodes, edges } = workflow;
  const layers = assignLayers(nodes, edges);
  const order = new Map(nodes.map((node, index) => [node.id, index]));
  const predecessors = new Map<string, string[]>();
  for (const { from, to } of edges) {
    predecessors.set(to, [...(predecessors.get(to) ?? []), from]);
  }
  const columns: WorkflowNode[][] = [];
  for (const node of nodes) {
    const index = layers.get(node.id) ?? 0;
    (columns[index] ??= []).push(node);
  }
  const row = new Map<string, number>();
  const barycenter = (node: WorkflowNode) => {
    const rows = (predecessors.get(node.id) ?? [])
      .map((id) => row.get(id))
      .filter((value): value is number => value !== undefined);
    return rows.length === 0
      ? Number.POSITIVE_INFINITY
      : rows.reduce((total, value) => total + value, 0) / rows.length;
  };
  for (const column of columns) {
    if (!column) {
      continue;
    }
    column.sort(
      (a, b) =>
        compare(barycenter(a), barycenter(b)) ||
        (order.get(a.id) ?? 0) - (order.get(b.id) ?? 0),
    );
    column.forEach((node, index) => row.set(node.id, index));
  }
  const tallest = Math.max(1, ...columns.map((column) => column?.length ?? 0));
  const columnHeight = (count: number) =>
    count * NODE_HEIGHT + Math.max(0, count - 1) * ROW_GAP;
  const top = PADDING + BOX_LABEL + BOX_MARGIN;
  const placed = new Map<string, PlacedNode>();
  columns.forEach((column, layer) => {
    const offset = (columnHeight(tallest) - columnHeight(column.length)) / 2;
    column.forEach((node, index) => {
      placed.set(node.id, {
        node,
        layer,
        x: PADDING + BOX_MARGIN + layer * (NODE_WIDTH + LAYER_GAP),
        y: top + offset + index * (NODE_HEIGHT + ROW_GAP),
      });
    });
  });
  const placedEdges = edges.flatMap((edge): PlacedEdge[] => {
    const from = placed.get(edge.from);
    const to = placed.get(edge.to);
    return from && to ? [{ edge, path: curve(from, to) }] : [];
  });
  return {
    width:
      2 * (PADDING + BOX_MARGIN) +
      columns.length * NODE_WIDTH +
      Math.max(0, columns.length - 1) * LAYER_GAP,
    height: top + columnHeight(tallest) + BOX_MARGIN + PADDING,
    nodes: nodes.flatMap((node) => placed.get(node.id) ?? []),
    edges: placedEdges,
    frames: frames(workflow.groups, placed),
  };
}

function compare(a: number, b: number): number {
  if (a === b) {
    return 0;
  }
  return a < b ? -1 : 1;
}

function curve(from: PlacedNode, to: PlacedNode): string {
  const x1 = from.x + NODE_WIDTH;
  const y1 = from.y + NODE_HEIGHT / 2;
  const x2 = to.x;
  const y2 = to.y + NODE_HEIGHT / 2;
  const bend = Math.max(24, (x2 - x1) / 2);
  return `M${x1},${y1} C${x1 + bend},${y1} ${x2 - bend},${y2} ${x2},${y2}`;
}

/** A frame per group of two or more members drawn in one column. */
function frames(
  groups: readonly WorkflowGroup[],
  placed: Map<string, PlacedNode>,
): GroupFrame[] {
  return groups.flatMap((group): GroupFrame[] => {
    const members = group.members.flatMap((id) => placed.get(id) ?? []);
    if (members.length < 2) {
      return [];
    }
    const xs = members.map((member) => member.x);
    const ys = members.map((member) => member.y);
    const x = Math.min(...xs) - BOX_MARGIN;
    const y = Math.min(...ys) - BOX_MARGIN - BOX_LABEL;
    return [
      {
        group,
        x,
        y,
        width: Math.max(...xs) + NODE_WIDTH + BOX_MARGIN - x,
        height: Math.max(...ys) + NODE_HEIGHT + BOX_MARGIN - y,
      },
    ];
  });
}
