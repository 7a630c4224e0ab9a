import type {
  TaskWorkflow,
  WorkflowEdge,
  WorkflowNode,
} from '../../src/contract/workflow';
import {
  assignLayers,
  layoutWorkflow,
  NODE_HEIGHT,
  NODE_WIDTH,
} from './workflow-layout';

function node(id: string): WorkflowNode {
  return {
    id,
    kind: 'task',
    name: id,
    state: 'PENDING',
    runtime: null,
    worker: null,
    groupId: null,
    seen: false,
  };
}

function edge(from: string, to: string, kind: WorkflowEdge['kind']) {
  return { from, to, kind };
}

/** chain(a, chord([h1, h2, h3], body), last) */
const chordInChain: TaskWorkflow = {
  taskId: 'a',
  rootId: 'a',
  nodes: ['a', 'h1', 'h2', 'h3', 'body', 'last'].map(node),
  edges: [
    edge('a', 'h1', 'group'),
    edge('a', 'h2', 'group'),
    edge('a', 'h3', 'group'),
    edge('h1', 'body', 'chord'),
    edge('h2', 'body', 'chord'),
    edge('h3', 'body', 'chord'),
    edge('body', 'last', 'chain'),
  ],
  groups: [
    { id: 'g', size: 3, members: ['h1', 'h2', 'h3'], chordBody: 'body' },
  ],
  truncated: false,
};

describe('assignLayers', () => {
  it('puts each step one layer after the last of what it waits for', () => {
    const layers = assignLayers(chordInChain.nodes, chordInChain.edges);
    expect(Object.fromEntries(layers)).toEqual({
      a: 0,
      h1: 1,
      h2: 1,
      h3: 1,
      body: 2,
      last: 3,
    });
  });

  it('leaves a cycle (no canvas makes one) in layer 0 instead of looping', () => {
    const layers = assignLayers(
      [node('x'), node('y')],
      [edge('x', 'y', 'chain'), edge('y', 'x', 'chain')],
    );
    expect(Object.fromEntries(layers)).toEqual({ x: 0, y: 0 });
  });

  it('ignores edges to nodes it was not given', () => {
    const layers = assignLayers([node('x')], [edge('x', 'gone', 'chain')]);
    expect(Object.fromEntries(layers)).toEqual({ x: 0 });
  });
});

describe('layoutWorkflow', () => {
  const layout = layoutWorkflow(chordInChain);
  const at = (id: string) =>
    layout.nodes.find((placed) => placed.node.id === id) as {
      x: number;
      y: number;
    };

  it('draws left to right: chain steps, the header stacked in order, the body after it', () => {
    expect(at('a').x).toBeLessThan(at('h1').x);
    expect(at('h1').x).toBe(at('h3').x);
    expect(at('h1').y).toBeLessThan(at('h2').y);
    expect(at('h2').y).toBeLessThan(at('h3').y);
    expect(at('body').x).toBeGreaterThan(at('h1').x);
    expect(at('last').x).toBeGreaterThan(at('body').x);
    // Single nodes sit in the middle of the header's column.
    expect(at('a').y).toBe(at('h2').y);
    expect(at('body').y).toBe(at('h2').y);
  });

  it('keeps every node and frame inside the drawing, and never overlaps two nodes', () => {
    for (const { x, y } of layout.nodes) {
      expect(x).toBeGreaterThanOrEqual(0);
      expect(y).toBeGreaterThanOrEqual(0);
      expect(x + NODE_WIDTH).toBeLessThanOrEqual(layout.width);
      expect(y + NODE_HEIGHT).toBeLessThanOrEqual(layout.height);
    }
    for (const frame of layout.frames) {
      expect(frame.y).toBeGreaterThanOrEqual(0);
      expect(frame.y + frame.height).toBeLessThanOrEqual(layout.height);
    }
    const boxes = layout.nodes.map(({ x, y }) => `${x},${y}`);
    expect(new Set(boxes).size).toBe(boxes.length);
  });

  it('frames the chord header around its members, and draws every edge', () => {
    expect(layout.frames).toHaveLength(1);
    const [frame] = layout.frames;
    expect(frame.group.id).toBe('g');
    expect(frame.x).toBeLessThan(at('h1').x);
    expect(frame.y).toBeLessThan(at('h1').y);
    expect(frame.y + frame.height).toBeGreaterThan(at('h3').y + NODE_HEIGHT);
    expect(layout.edges.map(({ edge: e }) => `${e.from}>${e.to}`)).toEqual(
      chordInChain.edges.map((e) => `${e.from}>${e.to}`),
    );
    expect(layout.edges[0].path).toMatch(/^M[\d.]+,[\d.]+ C/);
  });
});
