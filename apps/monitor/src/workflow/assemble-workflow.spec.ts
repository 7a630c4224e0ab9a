import {
  canvasFieldOf,
  type CeleryEvent,
  type TaskMessage,
} from '@celeriac/broker';
import type { CeleriacConfig } from '@celeriac/config';
import {
  type CanvasContext,
  chain,
  chord,
  continueWorkflow,
  group,
  planWorkflow,
  signature,
} from '@celeriac/tasks';
import type { TaskWorkflow } from '../contract/workflow';
import { EventsState } from '../state/events-state';
import { assembleWorkflow, GROUP_MEMBERS_SHOWN } from './assemble-workflow';
import { CanvasIndex } from './canvas-index';

const config = { monitor: { maxTasks: 10_000 } } as CeleriacConfig;

function context(): CanvasContext {
  let next = 0;
  return {
    queueFor: () => 'q',
    newId: () => `id-${String(++next).padStart(3, '0')}`,
  };
}

const add = (...args: number[]) => signature('add_task', args);
const sum = () => signature('sum_task');

/** The monitor's state and canvas index, fed as the consumer feeds them. */
function monitor() {
  const state = new EventsState(config);
  const index = new CanvasIndex(state, config);
  let clock = 1000;
  const send = (event: Record<string, unknown>) =>
    state.event({
      hostname: 'w@h',
      timestamp: (clock += 1),
      local_received: clock,
      ...event,
    } as CeleryEvent);
  /** A worker's task-received event for a message, canvas field included. */
  const received = (message: TaskMessage) => {
    const canvas = canvasFieldOf(message);
    send({
      type: 'task-received',
      uuid: message.headers.id,
      name: message.headers.task,
      root_id: message.headers.root_id,
      parent_id: message.headers.parent_id,
      ...(canvas ? { canvas } : {}),
    });
  };
  const succeeded = (id: string) => {
    send({ type: 'task-started', uuid: id });
    send({ type: 'task-succeeded', uuid: id, runtime: 0.5, result: '1' });
  };
  return { state, index, send, received, succeeded };
}

/** Edges as text, sorted: the order they were found in does not matter. */
function edgesOf(workflow: TaskWorkflow | null): string[] {
  return (workflow?.edges ?? [])
    .map((edge) => `${edge.from} -${edge.kind}-> ${edge.to}`)
    .sort();
}

function statesOf(workflow: TaskWorkflow | null): Record<string, string> {
  return Object.fromEntries(
    (workflow?.nodes ?? []).map((node) => [node.id, node.state]),
  );
}

describe(assembleWorkflow.name, () => {
  // chain(add, chord([add, add, add], sum), add), ids in freezing order:
  // add id-001, chord group id-002, header id-003..005, sum id-006, add id-007.
  const canvas = () =>
    chain(add(1, 2), chord([add(1), add(2), add(3)], sum()), add(10));

  it("draws a chord-in-chain from its first step's event: every step, those to come PENDING", () => {
    const { index, received } = monitor();
    const plan = planWorkflow(canvas(), context());
    expect(plan.messages).toHaveLength(1);
    received(plan.messages[0].message);

    const workflow = assembleWorkflow('id-001', index);

    expect(workflow?.rootId).toBe('id-001');
    expect(workflow?.nodes.map((node) => [node.id, node.name])).toEqual([
      ['id-001', 'add_task'],
      ['id-003', 'add_task'],
      ['id-004', 'add_task'],
      ['id-005', 'add_task'],
      ['id-006', 'sum_task'],
      ['id-007', 'add_task'],
    ]);
    expect(statesOf(workflow)).toEqual({
      'id-001': 'RECEIVED',
      'id-003': 'PENDING',
      'id-004': 'PENDING',
      'id-005': 'PENDING',
      'id-006': 'PENDING',
      'id-007': 'PENDING',
    });
    expect(workflow?.nodes.filter((node) => node.seen)).toHaveLength(1);
    expect(edgesOf(workflow)).toEqual([
      'id-001 -group-> id-003',
      'id-001 -group-> id-004',
      'id-001 -group-> id-005',
      'id-003 -chord-> id-006',
      'id-004 -chord-> id-006',
      'id-005 -chord-> id-006',
      'id-006 -chain-> id-007',
    ]);
    expect(workflow?.groups).toEqual([
      {
        id: 'id-002',
        size: 3,
        members: ['id-003', 'id-004', 'id-005'],
        chordBody: 'id-006',
      },
    ]);
    expect(workflow?.truncated).toBe(false);
  });

  it('follows the workflow as it runs: the same graph from any of its tasks, states moving', () => {
    const { index, received, succeeded, send } = monitor();
    const ctx = context();
    const first = planWorkflow(canvas(), ctx).messages[0].message;
    received(first);
    succeeded('id-001');
    // What the worker publishes next: the chord's header.
    const header = continueWorkflow(first, 3, ctx);
    const members = header?.messages.map(({ message }) => message) ?? [];
    expect(members.map((m) => m.headers.id)).toEqual([
      'id-003',
      'id-004',
      'id-005',
    ]);
    members.forEach(received);
    succeeded('id-003');
    send({ type: 'task-started', uuid: 'id-004' });

    const fromMember = assembleWorkflow('id-004', index);
    const fromRoot = assembleWorkflow('id-001', index);
    expect(fromMember?.nodes).toEqual(fromRoot?.nodes);
    expect(edgesOf(fromMember)).toEqual(edgesOf(fromRoot));
    expect(statesOf(fromMember)).toEqual({
      'id-001': 'SUCCESS',
      'id-003': 'SUCCESS',
      'id-004': 'STARTED',
      'id-005': 'RECEIVED',
      'id-006': 'PENDING',
      'id-007': 'PENDING',
    });
    expect(fromMember?.nodes.find((n) => n.id === 'id-003')).toMatchObject({
      groupId: 'id-002',
      runtime: 0.5,
      worker: 'w@h',
      seen: true,
    });
    // A step not started yet is found through the plan that names it.
    expect(assembleWorkflow('id-007', index)?.nodes).toEqual(fromRoot?.nodes);
    expect(assembleWorkflow('id-007', index)?.taskId).toBe('id-007');
  });

  it('is null for a task nobody knows or planned', () => {
    const { index, received } = monitor();
    received(planWorkflow(canvas(), context()).messages[0].message);
    expect(assembleWorkflow('nobody', index)).toBeNull();
  });

  it('links tasks by parent_id when no event carries a plan (a Python worker)', () => {
    const { index, send } = monitor();
    send({ type: 'task-received', uuid: 'a', name: 'add_task', root_id: 'a' });
    send({
      type: 'task-received',
      uuid: 'b',
      name: 'multi_task',
      root_id: 'a',
      parent_id: 'a',
    });
    send({ type: 'task-received', uuid: 'unrelated', root_id: 'unrelated' });
    const workflow = assembleWorkflow('b', index);
    expect(workflow?.nodes.map((node) => node.id)).toEqual(['a', 'b']);
    expect(edgesOf(workflow)).toEqual(['a -parent-> b']);
  });

  it("groups a top-level group's members (each its own root) by their group id", () => {
    const { index, received } = monitor();
    const plan = planWorkflow(group(add(1, 1), add(2, 2)), context());
    plan.messages.forEach(({ message }) => received(message));
    const workflow = assembleWorkflow('id-002', index);
    expect(workflow?.nodes.map((node) => node.id)).toEqual([
      'id-002',
      'id-003',
    ]);
    expect(workflow?.groups).toEqual([
      {
        id: 'id-001',
        size: null,
        members: ['id-002', 'id-003'],
        chordBody: null,
      },
    ]);
  });

  it("uses a stored result's group_id when events name none", () => {
    const { index, send } = monitor();
    for (const id of ['m1', 'm2']) {
      send({ type: 'task-received', uuid: id, name: 'add_task', root_id: id });
      index.recordStoredGroup(id, 'g');
    }
    const workflow = assembleWorkflow('m1', index);
    expect(workflow?.groups.map((g) => [g.id, g.members])).toEqual([
      ['g', ['m1', 'm2']],
    ]);
  });

  it('folds the members of a big chord header into one node, counted by state', () => {
    const { index, received, succeeded } = monitor();
    const ctx = context();
    const size = 30;
    const header = Array.from({ length: size }, (_, i) => add(i));
    const first = planWorkflow(chain(add(1, 1), chord(header, sum())), ctx)
      .messages[0].message;
    received(first);
    succeeded('id-001');
    const members = (continueWorkflow(first, 2, ctx)?.messages ?? []).map(
      ({ message }) => message,
    );
    members.forEach(received);
    members.slice(0, 20).forEach((m) => succeeded(m.headers.id));

    const workflow = assembleWorkflow('id-001', index);

    const shown = GROUP_MEMBERS_SHOWN - 1;
    const more = workflow?.nodes.find((node) => node.kind === 'more');
    expect(more).toMatchObject({
      id: 'more:id-002',
      state: 'RECEIVED',
      folded: {
        count: size - shown,
        states: { SUCCESS: 20 - shown, RECEIVED: 10 },
      },
    });
    // The first step, the members shown, the folded node and the body.
    expect(workflow?.nodes).toHaveLength(1 + shown + 1 + 1);
    const body = workflow?.groups[0].chordBody as string;
    expect(edgesOf(workflow)).toEqual(
      expect.arrayContaining([
        'id-001 -group-> more:id-002',
        `more:id-002 -chord-> ${body}`,
      ]),
    );
    expect(workflow?.groups[0].members).toHaveLength(shown + 1);
  });
});
