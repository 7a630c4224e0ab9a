import {
  buildTaskMessage,
  processReplyTo,
  type SignatureDict,
  type TaskMessage,
} from '@celeriac/broker';
import type { CanvasContext, CanvasPlan, PlannedMessage } from './canvas-plan';
import { Signature } from './signature';
import { mergePlans, planCallbacks } from './links';
import { finalIdOf, groupIdsOf, idsOf } from './canvas-ids';
import { fromSignatureDict, toSignatureDict } from './signature-dicts';

export { finalIdOf } from './canvas-ids';
export { fromSignatureDict, toSignatureDict } from './signature-dicts';
import {
  chordPartsOf,
  type Membership,
  unrollGroups,
  withMembership,
} from './membership';

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
export interface Place {
  /** The previous step's result, prepended to args (Celery's partial args). */
  partial: unknown[];
  /** The steps after it, in order. */
  rest: CanvasNode[];
  /** The task that sent it (a worker continuing a chain), if any. */
  parent: TaskMessage | null;
  groupId?: string;
  groupIndex?: number | null;
  chord?: SignatureDict;
  /** A worker sending a chain's next step (its last sends `embed.chain` `[]`). */
  continuing?: boolean;
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
  // Celery applies the callbacks before the chain's next step.
  const plan = mergePlans(
    [
      planCallbacks(current, result, context),
      nextChainStep(current, result, context),
    ].filter((plan): plan is WorkflowPlan => plan !== null),
  );
  return plan && { ...plan, continuation: true };
}

function nextChainStep(
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
  return planNode(
    next,
    { partial: [result], rest, parent: current, continuing: true },
    context,
  );
}

/** Plans a node at its place: the messages to send now, ids, groups, chords. */
export function planNode(
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
  const links = linksOf(options);
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
    // A member of a group or chord nested deeper carries its place in its
    // options (Celery's `freeze(group_id=..., chord=...)`).
    groupId: place.groupId ?? stringOption(options.group_id) ?? null,
    groupIndex:
      place.groupIndex ??
      (typeof options.group_index === 'number' ? options.group_index : null),
    timeLimit: options.time_limit ?? null,
    softTimeLimit: options.soft_time_limit ?? null,
    replyTo: options.reply_to ?? parent?.properties.replyTo ?? processReplyTo(),
    chain: embedChainOf(place, options),
    chord: place.chord ?? dictOption(options.chord) ?? null,
    callbacks: links.callbacks,
    errbacks: links.errbacks,
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
  const members = unrollGroups(node.members).map((member) =>
    planMember(member, { groupId }, place, context),
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
  const body = chordBodyOf(node.body, place.rest);
  const header = unrollGroups(node.header);
  if (header.length === 0) {
    // Celery sends the body at once, with an empty result list.
    return planNode(body.node, { ...place, partial: [[]], rest: [] }, context);
  }
  const members = header.map((member, index) =>
    planMember(
      member,
      { groupId, groupIndex: index, chord: body.dict },
      place,
      context,
    ),
  );
  const size = header.reduce(
    (total, member) => total + chordPartsOf(member),
    0,
  );
  return merge(members, {
    taskId: finalIdOf([body.node]) ?? groupId,
    extraIds: idsOf([body.node]),
    chords: [{ groupId, size }],
    groupIds: [groupId],
  });
}

/**
 * A chord's body with whatever followed the chord: a task body carries the
 * rest in its options (Celery's `body.options.update(chain=...)`), any
 * other body becomes a chain that runs the rest after it.
 */
function chordBodyOf(
  body: CanvasNode,
  after: CanvasNode[],
): { node: CanvasNode; dict: SignatureDict } {
  const steps = upgradeGroups([
    ...(body.kind === 'chain' ? body.steps : [body]),
    ...after,
  ]);
  const [first, ...rest] = steps;
  if (!first) {
    throw new RangeError('a chord needs a body');
  }
  if (first.kind !== 'task') {
    const node: CanvasNode = rest.length > 0 ? { kind: 'chain', steps } : first;
    return { node, dict: toSignatureDict(node) };
  }
  const signature = first.signature.withOptions(
    rest.length > 0 ? { chain: rest.map(toSignatureDict).reverse() } : {},
  );
  const node: CanvasNode = { kind: 'task', signature };
  // `node` still lists the rest, so its ids are tracked and reported.
  return {
    node: rest.length > 0 ? { kind: 'chain', steps: [node, ...rest] } : node,
    dict: signature.toDict(),
  };
}

/**
 * A group's or chord header's member: a task is sent with the group in its
 * headers; any other canvas is applied with the group put on the node whose
 * result is the member's (see `withMembership`).
 */
function planMember(
  member: CanvasNode,
  membership: Membership,
  place: Place,
  context: CanvasContext,
): WorkflowPlan {
  const at: Place = { partial: place.partial, rest: [], parent: place.parent };
  if (member.kind === 'task') {
    return planTask(
      member.signature,
      {
        ...at,
        groupId: membership.groupId,
        groupIndex: membership.groupIndex ?? null,
        chord: membership.chord,
      },
      context,
    );
  }
  return planNode(withMembership(member, membership), at, context);
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

/**
 * A message's `embed.chain`: the steps after it in this plan, then those
 * its signature already carried (Celery extends `options['chain']`); a
 * worker's last chain step sends `[]`, as Celery's does (a chord
 * body or a callback sends null).
 */
function embedChainOf(
  place: Place,
  options: Signature['options'],
): SignatureDict[] | null {
  const carried = Array.isArray(options.chain)
    ? (options.chain as SignatureDict[])
    : [];
  const planned = upgradeGroups(place.rest).map(toSignatureDict).reverse();
  if (carried.length + planned.length > 0) {
    return [...carried, ...planned];
  }
  return place.continuing ? [] : null;
}

/** `link` / `link_error` options as the message's callbacks and errbacks. */
function linksOf(options: Signature['options']): {
  callbacks: SignatureDict[] | null;
  errbacks: SignatureDict[] | null;
} {
  const list = (value: unknown): SignatureDict[] | null => {
    if (Array.isArray(value)) {
      return value.length > 0 ? (value as SignatureDict[]) : null;
    }
    return dictOption(value) ? [value as SignatureDict] : null;
  };
  return { callbacks: list(options.link), errbacks: list(options.link_error) };
}

function stringOption(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function dictOption(value: unknown): SignatureDict | undefined {
  return value !== null &&
    typeof value === 'object' &&
    typeof (value as { task?: unknown }).task === 'string'
    ? (value as SignatureDict)
    : undefined;
}
