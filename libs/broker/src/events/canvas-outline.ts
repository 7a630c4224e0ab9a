import type { SignatureDict, TaskMessage } from '../protocol/celery-message';

/**
 * A planned canvas node as a celeriac worker describes it in its
 * `task-received` event: names and ids only, no arguments. Celery's events
 * say nothing of the canvas a task belongs to; this lets a monitor draw the
 * steps that have not started yet (Flower and Celery ignore the field).
 */
export type CanvasOutline =
  | { task: string; id: string | null }
  | { chain: CanvasOutline[] }
  | { group: string | null; members: CanvasOutline[]; size: number }
  | {
      chord: string | null;
      header: CanvasOutline[];
      size: number;
      body: CanvasOutline;
    };

/**
 * The `canvas` field of a `task-received` event: where the task sits in its
 * workflow, from its message's headers and `embed`.
 */
export interface CanvasEventField {
  /** The group (or chord header) the task is a member of. */
  group?: string;
  group_index?: number;
  /** The chain's next steps, in the order they run (`embed.chain` reversed). */
  chain?: CanvasOutline[];
  /** The chord body this task's group joins into (`embed.chord`). */
  chord?: CanvasOutline;
  /** `embed.callbacks` and `embed.errbacks` (Celery's link / link_error). */
  link?: CanvasOutline[];
  link_error?: CanvasOutline[];
  /** Set when the outline stopped at {@link OUTLINE_NODE_BUDGET}. */
  truncated?: true;
}

/** A group lists at most this many members (its `size` counts them all). */
export const OUTLINE_GROUP_MEMBERS = 100;
/** One event describes at most this many nodes, however big the canvas. */
export const OUTLINE_NODE_BUDGET = 1000;
/** Deeper nesting than this is not described (nor sent by celeriac). */
const OUTLINE_DEPTH = 32;

interface Budget {
  left: number;
  truncated: boolean;
}

/**
 * The `canvas` field for a message, or null when the task is not part of a
 * canvas (no group, chain, chord or links): a plain task's event is as
 * Celery's.
 *
 * @param message - the task message as received
 */
export function canvasFieldOf(message: TaskMessage): CanvasEventField | null {
  const { headers, embed } = message;
  const budget: Budget = { left: OUTLINE_NODE_BUDGET, truncated: false };
  const field: CanvasEventField = {};
  if (typeof headers.group === 'string') {
    field.group = headers.group;
    if (typeof headers.group_index === 'number') {
      field.group_index = headers.group_index;
    }
  }
  if (Array.isArray(embed.chain) && embed.chain.length > 0) {
    // `embed.chain` is a stack: its last element runs next.
    field.chain = outlineList([...embed.chain].reverse(), budget, 0);
  }
  if (isDict(embed.chord)) {
    field.chord = outlineOf(embed.chord, budget, 0);
  }
  if (Array.isArray(embed.callbacks) && embed.callbacks.length > 0) {
    field.link = outlineList(embed.callbacks, budget, 0);
  }
  if (Array.isArray(embed.errbacks) && embed.errbacks.length > 0) {
    field.link_error = outlineList(embed.errbacks, budget, 0);
  }
  if (budget.truncated) {
    field.truncated = true;
  }
  return Object.keys(field).length > 0 ? field : null;
}

function outlineList(
  dicts: readonly unknown[],
  budget: Budget,
  depth: number,
): CanvasOutline[] {
  const outlines: CanvasOutline[] = [];
  for (const dict of dicts) {
    if (budget.left <= 0) {
      budget.truncated = true;
      break;
    }
    if (isDict(dict)) {
      outlines.push(outlineOf(dict, budget, depth));
    }
  }
  return outlines;
}

/** One signature dict (of any `subtask_type`) as an outline. */
function outlineOf(
  dict: SignatureDict,
  budget: Budget,
  depth: number,
): CanvasOutline {
  const node = nodeOutline(dict, budget, depth);
  // Steps after a node travel in its `options.chain`, last first (Celery's
  // chord body in a chain).
  const after = dict.options?.chain;
  if (!Array.isArray(after) || after.length === 0) {
    return node;
  }
  const rest = outlineList(
    [...(after as unknown[])].reverse(),
    budget,
    depth + 1,
  );
  return { chain: [node, ...rest] };
}

function nodeOutline(
  dict: SignatureDict,
  budget: Budget,
  depth: number,
): CanvasOutline {
  budget.left -= 1;
  const kwargs = isObject(dict.kwargs) ? dict.kwargs : {};
  const id = stringOr(dict.options?.task_id);
  if (depth >= OUTLINE_DEPTH) {
    budget.truncated = true;
    return { task: String(dict.task), id };
  }
  switch (dict.subtask_type) {
    case 'chain':
      return {
        chain: flattenChains(
          outlineList(listOf(kwargs.tasks), budget, depth + 1),
        ),
      };
    case 'group': {
      const members = listOf(kwargs.tasks);
      return {
        group: id,
        members: outlineList(
          members.slice(0, OUTLINE_GROUP_MEMBERS),
          budget,
          depth + 1,
        ),
        size: members.length,
      };
    }
    case 'chord': {
      const header = isDict(kwargs.header) ? kwargs.header : null;
      const members =
        header?.subtask_type === 'group'
          ? listOf(header.kwargs?.tasks)
          : header
            ? [header]
            : listOf(kwargs.header);
      const body = isDict(kwargs.body)
        ? outlineOf(kwargs.body, budget, depth + 1)
        : { task: 'unknown', id: null };
      return {
        chord:
          header?.subtask_type === 'group'
            ? (stringOr(header.options?.task_id) ?? id)
            : id,
        header: outlineList(
          members.slice(0, OUTLINE_GROUP_MEMBERS),
          budget,
          depth + 1,
        ),
        size: members.length,
        body,
      };
    }
    case null:
    default:
      return { task: String(dict.task), id };
  }
}

/** A chain nested in a chain runs as its steps. */
function flattenChains(steps: CanvasOutline[]): CanvasOutline[] {
  return steps.flatMap((step) => ('chain' in step ? step.chain : [step]));
}

// --- reading the field back (a monitor trusts nothing on the wire) ---

/**
 * The `canvas` field of an event, checked; null when absent or malformed.
 * Unknown keys are dropped, malformed nodes skipped.
 */
export function readCanvasField(value: unknown): CanvasEventField | null {
  if (!isObject(value)) {
    return null;
  }
  const field: CanvasEventField = {};
  if (typeof value.group === 'string') {
    field.group = value.group;
  }
  if (typeof value.group_index === 'number') {
    field.group_index = value.group_index;
  }
  const chain = readList(value.chain, 0);
  if (chain) {
    field.chain = chain;
  }
  const chord = readOutline(value.chord, 0);
  if (chord) {
    field.chord = chord;
  }
  const link = readList(value.link, 0);
  if (link) {
    field.link = link;
  }
  const linkError = readList(value.link_error, 0);
  if (linkError) {
    field.link_error = linkError;
  }
  if (value.truncated === true) {
    field.truncated = true;
  }
  return Object.keys(field).length > 0 ? field : null;
}

function readList(value: unknown, depth: number): CanvasOutline[] | null {
  if (!Array.isArray(value) || depth > OUTLINE_DEPTH) {
    return null;
  }
  return value.flatMap((item: unknown) => {
    const outline = readOutline(item, depth + 1);
    return outline ? [outline] : [];
  });
}

function readOutline(value: unknown, depth: number): CanvasOutline | null {
  if (!isObject(value) || depth > OUTLINE_DEPTH) {
    return null;
  }
  if (typeof value.task === 'string') {
    return { task: value.task, id: stringOr(value.id) };
  }
  if ('chain' in value) {
    const steps = readList(value.chain, depth);
    return steps ? { chain: steps } : null;
  }
  if ('members' in value) {
    const members = readList(value.members, depth);
    return members
      ? {
          group: stringOr(value.group),
          members,
          size: sizeOr(value.size, members.length),
        }
      : null;
  }
  if ('header' in value) {
    const header = readList(value.header, depth);
    const body = readOutline(value.body, depth + 1);
    return header && body
      ? {
          chord: stringOr(value.chord),
          header,
          size: sizeOr(value.size, header.length),
          body,
        }
      : null;
  }
  return null;
}

function sizeOr(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0
    ? Math.max(value, fallback)
    : fallback;
}

function stringOr(value: unknown): string | null {
  return typeof value === 'string' && value.length > 0 ? value : null;
}

function listOf(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isDict(value: unknown): value is SignatureDict {
  return isObject(value) && typeof value.task === 'string';
}
