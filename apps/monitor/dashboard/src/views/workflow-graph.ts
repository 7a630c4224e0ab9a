import { ApiError, monitorApi } from '../api-client';
import type { AppState } from '../app-state';
import { h, setText } from '../dom';
import { formatDuration, shortId, stateLook } from '../format';
import { taskHref } from '../router';
import {
  layoutWorkflow,
  NODE_HEIGHT,
  NODE_WIDTH,
  type PlacedNode,
} from '../workflow-layout';
import type {
  TaskWorkflow,
  WorkflowNode,
} from '../../../src/contract/workflow';
import type { View } from './view';

const SVG = 'http://www.w3.org/2000/svg';
/** At most one reload of the structure per this many ms while tasks change. */
const REFRESH_MS = 750;
const NAME_CHARS = 28;

type SvgAttrs = Record<string, string | number>;

function svg<K extends keyof SVGElementTagNameMap>(
  tag: K,
  attrs: SvgAttrs = {},
  ...children: (SVGElement | string)[]
): SVGElementTagNameMap[K] {
  const element = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attrs)) {
    element.setAttribute(name, String(value));
  }
  for (const child of children) {
    element.append(child);
  }
  return element;
}

function clip(text: string, chars: number): string {
  return text.length > chars ? `${text.slice(0, chars - 1)}…` : text;
}

/** The second line of a node: state, short id, runtime (or folded counts). */
function detailLine(node: WorkflowNode): string {
  if (node.folded) {
    return Object.entries(node.folded.states)
      .map(([state, count]) => `${count} ${stateLook(state).label}`)
      .join(' · ');
  }
  const runtime =
    node.runtime === null ? '' : ` · ${formatDuration(node.runtime)}`;
  return `${stateLook(node.state).label} · ${shortId(node.id)}${runtime}`;
}

/** Structure only: a reload that changes no node or edge only recolours. */
function shapeOf(workflow: TaskWorkflow): string {
  return JSON.stringify([
    workflow.nodes.map((node) => node.id),
    workflow.edges.map((edge) => `${edge.from}>${edge.to}:${edge.kind}`),
  ]);
}

function paintNode(element: SVGGElement, node: WorkflowNode): void {
  const look = stateLook(node.state);
  element.setAttribute(
    'class',
    [
      'wf-node',
      `tone-${look.tone}`,
      node.seen ? '' : 'wf-unseen',
      node.kind === 'more' ? 'wf-more' : '',
      element.dataset.current === 'true' ? 'wf-current' : '',
    ]
      .filter(Boolean)
      .join(' '),
  );
  element.dataset.state = node.state;
  const detail = element.querySelector('.wf-detail');
  if (detail) {
    setText(detail, detailLine(node));
  }
  const title = element.querySelector('title');
  if (title) {
    setText(title, `${node.name ?? 'unknown task'}\n${node.id}\n${node.state}`);
  }
}

function drawNode({ node, x, y }: PlacedNode, current: string): SVGGElement {
  const box = svg('rect', {
    class: 'wf-box',
    width: NODE_WIDTH,
    height: NODE_HEIGHT,
    rx: 8,
  });
  const name = svg(
    'text',
    { class: 'wf-name', x: 10, y: 18 },
    clip(node.name ?? 'unknown task', NAME_CHARS),
  );
  const detail = svg('text', { class: 'wf-detail', x: 10, y: 34 }, '');
  const content: SVGElement[] = [box, name, detail];
  const group = svg(
    'g',
    {
      transform: `translate(${x},${y})`,
      'data-testid': 'workflow-node',
      'data-task-id': node.id,
      'data-kind': node.kind,
    },
    svg('title'),
    // A folded node stands for many tasks: nothing to open.
    node.kind === 'task'
      ? svg('a', { href: taskHref(node.id), class: 'wf-link' }, ...content)
      : svg('g', {}, ...content),
  );
  group.dataset.current = String(node.id === current);
  paintNode(group, node);
  return group;
}

function drawGraph(
  workflow: TaskWorkflow,
  nodes: Map<string, SVGGElement>,
): SVGSVGElement {
  const layout = layoutWorkflow(workflow);
  const arrow = svg(
    'marker',
    {
      id: 'wf-arrow',
      viewBox: '0 0 10 10',
      refX: 9,
      refY: 5,
      markerWidth: 7,
      markerHeight: 7,
      orient: 'auto-start-reverse',
    },
    svg('path', { d: 'M0,0 L10,5 L0,10 z', class: 'wf-arrow' }),
  );
  const graph = svg('svg', {
    class: 'wf-graph',
    width: layout.width,
    height: layout.height,
    viewBox: `0 0 ${layout.width} ${layout.height}`,
    role: 'img',
    'aria-label': `Workflow of ${workflow.nodes.length} tasks`,
    'data-testid': 'workflow-graph',
  });
  graph.append(svg('defs', {}, arrow));
  for (const frame of layout.frames) {
    const size = frame.group.size ?? frame.group.members.length;
    graph.append(
      svg(
        'g',
        {
          class: 'wf-frame',
          'data-testid': 'workflow-group',
          'data-group-id': frame.group.id,
        },
        svg('rect', {
          x: frame.x,
          y: frame.y,
          width: frame.width,
          height: frame.height,
          rx: 10,
        }),
        svg(
          'text',
          { x: frame.x + 8, y: frame.y + 12 },
          `${frame.group.chordBody ? 'chord header' : 'group'} · ${size}`,
        ),
      ),
    );
  }
  for (const { edge, path } of layout.edges) {
    graph.append(
      svg('path', {
        d: path,
        class: `wf-edge wf-edge-${edge.kind}`,
        'marker-end': 'url(#wf-arrow)',
        'data-testid': 'workflow-edge',
        'data-from': edge.from,
        'data-to': edge.to,
        'data-kind': edge.kind,
      }),
    );
  }
  nodes.clear();
  for (const placed of layout.nodes) {
    const element = drawNode(placed, workflow.taskId);
    nodes.set(placed.node.id, element);
    graph.append(element);
  }
  return graph;
}

/**
 * The task page's workflow: the canvas the task belongs to, drawn as an SVG
 * graph (chain steps left to right, group members stacked, the chord body
 * after its header), each node coloured by its state and opening its task.
 * States follow the live task events; when a task of the workflow appears
 * or changes, the structure is fetched again (at most every 750 ms).
 */
export function workflowPanel(state: AppState, taskId: string): View {
  const canvas = h('div', { class: 'wf-scroll' });
  const note = h('p', { class: 'muted', 'data-testid': 'workflow-note' });
  const element = h(
    'section',
    { class: 'card workflow', 'data-testid': 'workflow', hidden: true },
    h('h2', {}, 'Workflow'),
    note,
    canvas,
  );
  const nodes = new Map<string, SVGGElement>();
  let workflow: TaskWorkflow | null = null;
  let shape = '';
  let timer: number | undefined;
  let loading = false;
  let again = false;
  let destroyed = false;

  /**
   * A task's node as the page's store knows it: the store follows every
   * event, so it is never older than a workflow fetched meanwhile (a
   * response sent before a task's success must not paint it running).
   */
  const live = (node: WorkflowNode): WorkflowNode => {
    const task = node.kind === 'task' ? state.tasks.get(node.id) : undefined;
    return task
      ? {
          ...node,
          state: task.state,
          runtime: task.runtime ?? node.runtime,
          seen: true,
        }
      : node;
  };

  const describe = (shown: TaskWorkflow) => {
    const planned = shown.nodes.filter((node) => !node.seen).length;
    setText(
      note,
      `${shown.nodes.length} tasks${planned > 0 ? `, ${planned} not started yet` : ''}${shown.truncated ? ' (too many to draw them all)' : ''}`,
    );
  };

  const show = (fetched: TaskWorkflow) => {
    const next = { ...fetched, nodes: fetched.nodes.map(live) };
    workflow = next;
    // A task alone is no workflow: the section stays hidden.
    element.hidden = next.nodes.length < 2;
    describe(next);
    const nextShape = shapeOf(next);
    if (nextShape !== shape) {
      shape = nextShape;
      canvas.replaceChildren(drawGraph(next, nodes));
      return;
    }
    for (const node of next.nodes) {
      const drawn = nodes.get(node.id);
      if (drawn) {
        paintNode(drawn, node);
      }
    }
  };

  const load = async () => {
    if (loading) {
      again = true;
      return;
    }
    loading = true;
    try {
      const next = await monitorApi.workflow(taskId);
      if (!destroyed) {
        show(next);
      }
    } catch (error) {
      if (!(error instanceof ApiError && error.status === 404)) {
        console.warn('dashboard: workflow not loaded', error);
      }
    } finally {
      loading = false;
      if (again && !destroyed) {
        again = false;
        void load();
      }
    }
  };

  const refreshSoon = () => {
    if (timer === undefined) {
      timer = window.setTimeout(() => {
        timer = undefined;
        void load();
      }, REFRESH_MS);
    }
  };

  const unsubscribe = state.tasksChanged.subscribe((changed) => {
    const current = workflow;
    if (!current) {
      // Opened before the monitor heard of the task: try again as events come.
      refreshSoon();
      return;
    }
    // Nodes drawn take the events' states now; the structure is fetched
    // again only when a task may add to it: one of the workflow not drawn
    // yet (or folded), or a planned step starting (its event has its plan).
    let related = false;
    for (const id of changed) {
      const task = state.tasks.get(id);
      const drawn = nodes.get(id);
      const index = current.nodes.findIndex((node) => node.id === id);
      const known = current.nodes[index];
      if (drawn && known && task) {
        const now = live(known);
        current.nodes[index] = now;
        paintNode(drawn, now);
        related ||= !known.seen;
      } else if (
        task &&
        (task.root_id === current.rootId ||
          (task.parent_id !== null && nodes.has(task.parent_id)))
      ) {
        related = true;
      }
    }
    describe(current);
    if (related) {
      refreshSoon();
    }
  });

  void load();
  return {
    element,
    destroy: () => {
      destroyed = true;
      window.clearTimeout(timer);
      unsubscribe();
    },
  };
}
