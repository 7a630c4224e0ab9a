import {
  buildTaskMessage,
  processReplyTo,
  type SignatureDict,
  type TaskMessage,
} from '@celeriac/broker';
import type { CanvasContext, CanvasPlan, PlannedMessage } from './canvas-plan';
import { Signature } from './signature';

/** A canvas of any depth: Celery's signature, chain, group and chord. */
export type CanvasNode =
  | { kind: 'task'; signature: Signature }
  | { kind: 'chain'; steps: CanvasNode[] }
  | { kind: 'group'; members: CanvasNode[]; groupId?: string }
  | { kind: 'chord'; header: CanvasNode[]; body: CanvasNode; groupId?: string };

/** A planned workflow and the ids a caller reports. */
export interface WorkflowPlan extends CanvasPlan {
  /** Every group (and chord header) id, outermost first. */
  groupIds: string[];
}

/** Where a node sits: what it continues from and into. */
interface Place {
  /** The previous step's result, prepended to args (Celery's partial args). */
  partial: unknown[];
  /** The steps after it, in order. */
  rest: CanvasNode[];
  /** The task that sent it (a worker continuing a chain), if any. */
  parent: TaskMessage | null;
  groupId?: string;
  groupIndex?: number | null;
  chord?: SignatureDict;
}

/**
 * Plans a workflow at submit time: ids assigned up front (so the caller can
 * report and track them), the first messages to publish, chord sizes and
 * groups to store.
 */
export function planWorkflow(
  node: CanvasNode,
  context: CanvasContext,
): WorkflowPlan {
  const frozen = freeze(node, context);
  const plan = planNode(
    frozen,
    { partial: [], rest: [], parent: null },
    context,
  );
  // Groups later in a chain are planned by the worker, but their ids are known now.
  return { ...plan, groupIds: groupIdsOf(frozen) };
}

function groupIdsOf(node: CanvasNode): string[] {
  switch (node.kind) {
    case 'task':
      return [];
    case 'chain':
      return node.steps.flatMap(groupIdsOf);
    case 'group':
      return [
        ...(node.groupId ? [node.groupId] : []),
        ...node.members.flatMap(groupIdsOf),
      ];
    case 'chord':
      return [
        ...(node.groupId ? [node.groupId] : []),
        ...node.header.flatMap(groupIdsOf),
        ...groupIdsOf(node.body),
      ];
  }
}

/**
 * What a worker publishes after `current` returned `result` when its
 * `embed.chain` holds more steps of any kind (a task, a group, a chord):
 * the next step, applied with the result as partial args.
 */
export function continueWorkflow(
  current: TaskMessage,
  result: unknown,
  context: CanvasContext,
): WorkflowPlan | null {
  const remaining = current.embed.chain;
  if (!remaining || remaining.length === 0) {
    return null;
  }
  const next = fromSignatureDict(remaining[remaining.length - 1]);
  const rest = remaining.slice(0, -1).reverse().map(fromSignatureDict);
  return planNode(next, { partial: [result], rest, parent: current }, context);
}

/** The dict Celery puts in `embed.chain` / `embed.chord` for a node. */
export function toSignatureDict(node: CanvasNode): SignatureDict {
  switch (node.kind) {
    case 'task':
      return node.signature.toDict();
    case 'chain':
      return compound('celery.chain', 'chain', {
        tasks: node.steps.map(toSignatureDict),
      });
    case 'group':
      return compound(
        'celery.group',
        'group',
        { tasks: node.members.map(toSignatureDict) },
        node.groupId,
      );
    case 'chord':
      return compound(
        'celery.chord',
        'chord',
        {
          header: toSignatureDict({
            kind: 'group',
            members: node.header,
            groupId: node.groupId,
          }),
          body: toSignatureDict(node.body),
          kwargs: {},
        },
        node.groupId,
      );
  }
}

/** Reads a signature dict of any `subtask_type` back into a node. */
export function fromSignatureDict(dict: SignatureDict): CanvasNode {
  const kwargs = dict.kwargs ?? {};
  const taskId =
    typeof dict.options?.task_id === 'string'
      ? dict.options.task_id
      : undefined;
  switch (dict.subtask_type) {
    case 'chain':
      return {
        kind: 'chain',
        steps: dictList(kwargs.tasks).map(fromSignatureDict),
      };
    case 'group':
      return {
        kind: 'group',
        members: dictList(kwargs.tasks).map(fromSignatureDict),
        groupId: taskId,
      };
    case 'chord': {
      const header = fromSignatureDict(kwargs.header as SignatureDict);
      return {
        kind: 'chord',
        header: header.kind === 'group' ? header.members : [header],
        body: fromSignatureDict(kwargs.body as SignatureDict),
        groupId: header.kind === 'group' ? header.groupId : taskId,
      };
    }
    case null:
    default:
      // A plain task, or a subtask type celeriac does not plan (chunks,
      // xmap): sent as the task it names.
      return { kind: 'task', signature: Signature.fromDict(dict) };
  }
}

function planNode(
  node: CanvasNode,
  place: Place,
  context: CanvasContext,
): WorkflowPlan {
  switch (node.kind) {
    case 'task':
      return planTask(node.signature, place, context);
    case 'chain': {
      const [first, ...others] = upgradeGroups(node.steps);
      if (!first) {
        throw new RangeError('a chain needs at least one step');
      }
      return planNode(
        first,
        { ...place, rest: [...others, ...place.rest] },
        context,
      );
    }
    case 'group': {
      const [next, ...after] = place.rest;
      if (next) {
        // Celery: `group | task` is a chord.
        return planNode(
          {
            kind: 'chord',
            header: node.members,
            body: next,
            groupId: node.groupId,
          },
          { ...place, rest: after },
          context,
        );
      }
      return planGroupNode(node, place, context);
    }
    case 'chord':
      return planChordNode(node, place, context);
  }
}

function planTask(
  signature: Signature,
  place: Place,
  context: CanvasContext,
): WorkflowPlan {
  const { options } = signature;
  const id = options.task_id ?? context.newId();
  const parent = place.parent;
  const message = buildTaskMessage({
    task: signature.task,
    id,
    args: signature.immutable
      ? [...signature.args]
      : [...place.partial, ...signature.args],
    kwargs: { ...signature.kwargs },
    argsForm: 'tuple',
    rootId: parent?.headers.root_id ?? id,
    parentId: parent?.headers.id ?? null,
    groupId: place.groupId ?? null,
    groupIndex: place.groupIndex ?? null,
    timeLimit: options.time_limit ?? null,
    softTimeLimit: options.soft_time_limit ?? null,
    replyTo: options.reply_to ?? parent?.properties.replyTo ?? processReplyTo(),
    // A worker's last chain step sends `[]`, as Celery's does.
    chain:
      place.rest.length > 0
        ? upgradeGroups(place.rest).map(toSignatureDict).reverse()
        : parent
          ? []
          : null,
    chord: place.chord ?? null,
    // Celery's client sends priority 0; a worker's continuation sends none.
    ...(parent ? {} : { priority: 0 }),
  });
  const planned: PlannedMessage = {
    message,
    queue:
      typeof options.queue === 'string'
        ? options.queue
        : context.queueFor(signature.task),
  };
  return {
    taskId: finalIdOf(place.rest) ?? id,
    taskIds: [id, ...idsOf(place.rest)],
    messages: [planned],
    groups: [],
    chords: [],
    groupIds: [],
  };
}

function planGroupNode(
  node: Extract<CanvasNode, { kind: 'group' }>,
  place: Place,
  context: CanvasContext,
): WorkflowPlan {
  const groupId = node.groupId ?? context.newId();
  const members = node.members.map((member) =>
    planMember(
      member,
      { ...place, rest: [], groupId, groupIndex: null },
      context,
    ),
  );
  const childIds = members.map((member) => member.taskId);
  return merge(members, {
    taskId: groupId,
    groups: [{ groupId, childIds }],
    groupIds: [groupId],
  });
}

function planChordNode(
  node: Extract<CanvasNode, { kind: 'chord' }>,
  place: Place,
  context: CanvasContext,
): WorkflowPlan {
  const groupId = node.groupId ?? context.newId();
  // The body's own chain, then whatever followed the chord.
  const [bodyFirst, ...bodyRest] =
    node.body.kind === 'chain' ? upgradeGroups(node.body.steps) : [node.body];
  if (!bodyFirst || bodyFirst.kind !== 'task') {
    throw new RangeError('a chord body must start with a task');
  }
  const continuation = [...bodyRest, ...place.rest];
  const body = bodyFirst.signature.withOptions({
    ...(continuation.length > 0
      ? { chain: upgradeGroups(continuation).map(toSignatureDict).reverse() }
      : {}),
  });
  const bodyDict = body.toDict();
  const bodyId = body.options.task_id as string;
  const finalId = finalIdOf(continuation) ?? bodyId;
  if (node.header.length === 0) {
    // Celery sends the body at once, with an empty result list.
    return planTask(
      body,
      { ...place, partial: [[]], rest: continuation },
      context,
    );
  }
  const members = node.header.map((member, index) =>
    planMember(
      member,
      { ...place, rest: [], groupId, groupIndex: index, chord: bodyDict },
      context,
    ),
  );
  return merge(members, {
    taskId: finalId,
    extraIds: [bodyId, ...idsOf(continuation)],
    chords: [{ groupId, size: node.header.length }],
    groupIds: [groupId],
  });
}

/** Group and chord members are tasks (a header of nested canvases is not supported). */
function planMember(
  member: CanvasNode,
  place: Place,
  context: CanvasContext,
): WorkflowPlan {
  if (member.kind !== 'task') {
    throw new RangeError(
      'group and chord members must be tasks; nest canvases through chains instead',
    );
  }
  return planTask(member.signature, place, context);
}

function merge(
  parts: WorkflowPlan[],
  own: {
    taskId: string;
    extraIds?: string[];
    groups?: CanvasPlan['groups'];
    chords?: CanvasPlan['chords'];
    groupIds: string[];
  },
): WorkflowPlan {
  return {
    taskId: own.taskId,
    taskIds: [
      ...parts.flatMap((part) => part.taskIds),
      ...(own.extraIds ?? []),
    ],
    messages: parts.flatMap((part) => part.messages),
    groups: [...(own.groups ?? []), ...parts.flatMap((part) => part.groups)],
    chords: [...(own.chords ?? []), ...parts.flatMap((part) => part.chords)],
    groupIds: [...own.groupIds, ...parts.flatMap((part) => part.groupIds)],
  };
}

/** Celery's `prepare_steps`: a group followed by a step becomes a chord. */
function upgradeGroups(steps: CanvasNode[]): CanvasNode[] {
  const upgraded: CanvasNode[] = [];
  for (let index = 0; index < steps.length; index++) {
    const step = steps[index];
    const next = steps[index + 1];
    if (step.kind === 'group' && next) {
      upgraded.push({
        kind: 'chord',
        header: step.members,
        body: next,
        groupId: step.groupId,
      });
      index += 1;
    } else {
      upgraded.push(step);
    }
  }
  return upgraded;
}

/** Assigns every task and group its id, once, before anything is sent. */
function freeze(node: CanvasNode, context: CanvasContext): CanvasNode {
  switch (node.kind) {
    case 'task':
      return {
        kind: 'task',
        signature: node.signature.withOptions({
          task_id: node.signature.options.task_id ?? context.newId(),
          reply_to: node.signature.options.reply_to ?? processReplyTo(),
        }),
      };
    case 'chain':
      return {
        kind: 'chain',
        steps: node.steps.map((step) => freeze(step, context)),
      };
    // The group id first, then its members, as Celery freezes them.
    case 'group': {
      const groupId = node.groupId ?? context.newId();
      return {
        kind: 'group',
        groupId,
        members: node.members.map((member) => freeze(member, context)),
      };
    }
    case 'chord': {
      const groupId = node.groupId ?? context.newId();
      return {
        kind: 'chord',
        groupId,
        header: node.header.map((member) => freeze(member, context)),
        body: freeze(node.body, context),
      };
    }
  }
}

/** Task ids of frozen nodes (groups count their members). */
function idsOf(nodes: CanvasNode[]): string[] {
  return nodes.flatMap((node): string[] => {
    switch (node.kind) {
      case 'task':
        return typeof node.signature.options.task_id === 'string'
          ? [node.signature.options.task_id]
          : [];
      case 'chain':
        return idsOf(node.steps);
      case 'group':
        return idsOf(node.members);
      case 'chord':
        return [...idsOf(node.header), ...idsOf([node.body])];
    }
  });
}

/** The id whose result is the result of these steps run in order. */
function finalIdOf(steps: CanvasNode[]): string | undefined {
  const last = steps[steps.length - 1];
  if (!last) {
    return undefined;
  }
  switch (last.kind) {
    case 'task':
      return last.signature.options.task_id;
    case 'chain':
      return finalIdOf(last.steps);
    case 'group':
      return last.groupId;
    case 'chord':
      return finalIdOf([last.body]);
  }
}

function compound(
  task: string,
  subtaskType: string,
  kwargs: Record<string, unknown>,
  taskId?: string,
): SignatureDict {
  return {
    task,
    args: [],
    kwargs,
    options: taskId === undefined ? {} : { task_id: taskId },
    subtask_type: subtaskType,
    immutable: false,
  };
}

function dictList(value: unknown): SignatureDict[] {
  return Array.isArray(value) ? (value as SignatureDict[]) : [];
}
