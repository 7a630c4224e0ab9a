import {
  type CanvasNode,
  chunks,
  immutableSignature,
  type LinkErrorOptions,
  linkErrorNode,
  linkNode,
  map,
  signature,
  starmap,
} from '@celeriac/tasks';
import { NAME_PATTERN } from './dto/task-call.dto';

/** Deeper canvases are refused: they are mistakes, or attacks on the stack. */
export const MAX_WORKFLOW_DEPTH = 32;
/** More tasks than this in one request are refused. */
export const MAX_WORKFLOW_TASKS = 1000;

/** Where in the body a workflow is wrong. */
export interface WorkflowError {
  field: string;
  message: string;
}

/** Parsed, or every error found. */
export type ParsedWorkflow =
  | { ok: true; workflow: CanvasNode; tasks: string[] }
  | { ok: false; errors: WorkflowError[] };

const LEAF_KEYS = new Set(['task', 'args', 'kwargs', 'options', 'immutable']);
const OPTION_KEYS = new Set(['queue', 'time_limit', 'soft_time_limit']);

/** Keys any node may carry besides its own: Celery's callbacks and errbacks. */
const LINK_KEYS = ['link', 'link_error'] as const;

/**
 * Reads a JSON canvas: `{"chain": [...]}`, `{"group": [...]}`,
 * `{"chord": {"header": [...], "body": {...}}}`, `{"map": {task, it}}`,
 * `{"starmap": {task, it}}`, `{"chunks": {task, it, n}}`, nested to any
 * depth, leaves `{task, args?, kwargs?, options?, immutable?}`; any node may
 * add `link` / `link_error` (a node or a list of nodes); `linkError` says
 * how a chord's `link_error` is linked (Celery's
 * `task_allow_error_cb_on_chord_header`).
 */
export function parseWorkflow(
  body: unknown,
  linkError: LinkErrorOptions = {},
): ParsedWorkflow {
  const errors: WorkflowError[] = [];
  const tasks: string[] = [];
  const node = parseNode(body, 'body', 1, errors, tasks, linkError);
  if (tasks.length > MAX_WORKFLOW_TASKS) {
    errors.push({
      field: 'body',
      message: `more than ${MAX_WORKFLOW_TASKS} tasks`,
    });
  }
  return node && errors.length === 0
    ? { ok: true, workflow: node, tasks }
    : { ok: false, errors };
}

function parseNode(
  value: unknown,
  field: string,
  depth: number,
  errors: WorkflowError[],
  tasks: string[],
  linkError: LinkErrorOptions,
): CanvasNode | null {
  if (depth > MAX_WORKFLOW_DEPTH) {
    errors.push({ field, message: `nested deeper than ${MAX_WORKFLOW_DEPTH}` });
    return null;
  }
  if (!isObject(value)) {
    errors.push({
      field,
      message: 'must be an object: a task, chain, group or chord',
    });
    return null;
  }
  const own = Object.fromEntries(
    Object.entries(value).filter(
      ([key]) => !(LINK_KEYS as readonly string[]).includes(key),
    ),
  );
  const node = parseOwnNode(own, field, depth, errors, tasks, linkError);
  let linked = node;
  for (const key of LINK_KEYS) {
    if (value[key] === undefined) {
      continue;
    }
    const list = Array.isArray(value[key]) ? value[key] : [value[key]];
    list.forEach((item: unknown, index: number) => {
      const path = Array.isArray(value[key])
        ? `${field}.${key}[${index}]`
        : `${field}.${key}`;
      const callback = parseNode(
        item,
        path,
        depth + 1,
        errors,
        tasks,
        linkError,
      );
      if (linked && callback) {
        linked =
          key === 'link'
            ? linkNode(linked, callback)
            : linkErrorNode(linked, callback, linkError);
      }
    });
  }
  return linked;
}

function parseOwnNode(
  value: Record<string, unknown>,
  field: string,
  depth: number,
  errors: WorkflowError[],
  tasks: string[],
  linkError: LinkErrorOptions,
): CanvasNode | null {
  const keys = Object.keys(value);
  if (
    keys.length === 1 &&
    (keys[0] === 'map' || keys[0] === 'starmap' || keys[0] === 'chunks')
  ) {
    return parseMap(
      keys[0],
      value[keys[0]],
      `${field}.${keys[0]}`,
      errors,
      tasks,
    );
  }
  if (keys.length === 1 && (keys[0] === 'chain' || keys[0] === 'group')) {
    const kind = keys[0];
    const list = value[kind];
    if (!Array.isArray(list) || list.length === 0) {
      errors.push({
        field: `${field}.${kind}`,
        message: 'must be a non-empty array',
      });
      return null;
    }
    const nodes = list.map((item, index) =>
      parseNode(
        item,
        `${field}.${kind}[${index}]`,
        depth + 1,
        errors,
        tasks,
        linkError,
      ),
    );
    if (nodes.some((node) => node === null)) {
      return null;
    }
    const parsed = nodes as CanvasNode[];
    if (kind === 'group') {
      return { kind: 'group', members: parsed };
    }
    return { kind: 'chain', steps: parsed };
  }
  if (keys.length === 1 && keys[0] === 'chord') {
    return parseChord(
      value.chord,
      `${field}.chord`,
      depth,
      errors,
      tasks,
      linkError,
    );
  }
  return parseLeaf(value, field, errors, tasks);
}

function parseChord(
  value: unknown,
  field: string,
  depth: number,
  errors: WorkflowError[],
  tasks: string[],
  linkError: LinkErrorOptions,
): CanvasNode | null {
  if (
    !isObject(value) ||
    !Array.isArray(value.header) ||
    value.body === undefined
  ) {
    errors.push({ field, message: 'must be {"header": [...], "body": {...}}' });
    return null;
  }
  const header = value.header.map((item, index) =>
    parseNode(
      item,
      `${field}.header[${index}]`,
      depth + 1,
      errors,
      tasks,
      linkError,
    ),
  );
  const body = parseNode(
    value.body,
    `${field}.body`,
    depth + 1,
    errors,
    tasks,
    linkError,
  );
  if (body === null || header.some((node) => node === null)) {
    return null;
  }
  return { kind: 'chord', header: header as CanvasNode[], body };
}

function parseLeaf(
  value: Record<string, unknown>,
  field: string,
  errors: WorkflowError[],
  tasks: string[],
): CanvasNode | null {
  const before = errors.length;
  const unknown = Object.keys(value).filter((key) => !LEAF_KEYS.has(key));
  if (unknown.length > 0) {
    errors.push({ field, message: `unknown keys: ${unknown.join(', ')}` });
  }
  const {
    task,
    args = [],
    kwargs = {},
    options = {},
    immutable = false,
  } = value;
  if (
    typeof task !== 'string' ||
    task.length > 255 ||
    !NAME_PATTERN.test(task)
  ) {
    errors.push({ field: `${field}.task`, message: 'must be a task name' });
  }
  if (!Array.isArray(args)) {
    errors.push({ field: `${field}.args`, message: 'must be an array' });
  }
  if (!isObject(kwargs)) {
    errors.push({ field: `${field}.kwargs`, message: 'must be an object' });
  }
  if (typeof immutable !== 'boolean') {
    errors.push({ field: `${field}.immutable`, message: 'must be a boolean' });
  }
  const parsedOptions = parseOptions(options, `${field}.options`, errors);
  if (errors.length > before) {
    return null;
  }
  tasks.push(task as string);
  const make = immutable ? immutableSignature : signature;
  return {
    kind: 'task',
    signature: make(
      task as string,
      args as unknown[],
      kwargs as Record<string, unknown>,
      parsedOptions,
    ),
  };
}

function parseOptions(
  value: unknown,
  field: string,
  errors: WorkflowError[],
): Record<string, string | number> {
  if (!isObject(value)) {
    errors.push({ field, message: 'must be an object' });
    return {};
  }
  const options: Record<string, string | number> = {};
  for (const [key, option] of Object.entries(value)) {
    if (!OPTION_KEYS.has(key)) {
      errors.push({
        field: `${field}.${key}`,
        message:
          'is not a supported option (queue, time_limit, soft_time_limit)',
      });
    } else if (key === 'queue') {
      if (typeof option !== 'string' || !NAME_PATTERN.test(option)) {
        errors.push({
          field: `${field}.queue`,
          message: 'must be a queue name',
        });
      } else {
        options.queue = option;
      }
    } else if (
      typeof option !== 'number' ||
      !(option > 0) ||
      option > 366 * 24 * 3600
    ) {
      errors.push({
        field: `${field}.${key}`,
        message: 'must be a positive number of seconds',
      });
    } else {
      options[key] = option;
    }
  }
  return options;
}

/**
 * `{"map": {"task", "it"}}`, `{"starmap": {"task", "it"}}`,
 * `{"chunks": {"task", "it", "n"}}`: Celery's `task.map(it)`,
 * `task.starmap(it)`, `task.chunks(it, n)`.
 */
function parseMap(
  kind: 'map' | 'starmap' | 'chunks',
  value: unknown,
  field: string,
  errors: WorkflowError[],
  tasks: string[],
): CanvasNode | null {
  const before = errors.length;
  const shape =
    kind === 'chunks'
      ? '{"task": name, "it": [[...args], ...], "n": size}'
      : kind === 'starmap'
        ? '{"task": name, "it": [[...args], ...]}'
        : '{"task": name, "it": [item, ...]}';
  if (!isObject(value)) {
    errors.push({ field, message: `must be ${shape}` });
    return null;
  }
  const unknown = Object.keys(value).filter(
    (key) => !['task', 'it', ...(kind === 'chunks' ? ['n'] : [])].includes(key),
  );
  if (unknown.length > 0) {
    errors.push({ field, message: `unknown keys: ${unknown.join(', ')}` });
  }
  const { task, it, n } = value;
  if (
    typeof task !== 'string' ||
    task.length > 255 ||
    !NAME_PATTERN.test(task)
  ) {
    errors.push({ field: `${field}.task`, message: 'must be a task name' });
  }
  if (!Array.isArray(it)) {
    errors.push({ field: `${field}.it`, message: 'must be an array' });
  } else if (kind !== 'map') {
    it.forEach((item, index) => {
      if (!Array.isArray(item)) {
        errors.push({
          field: `${field}.it[${index}]`,
          message: 'must be an array of arguments',
        });
      }
    });
  }
  if (
    kind === 'chunks' &&
    (typeof n !== 'number' || !Number.isInteger(n) || n < 1)
  ) {
    errors.push({ field: `${field}.n`, message: 'must be an integer ≥ 1' });
  }
  if (errors.length > before) {
    return null;
  }
  tasks.push(task as string);
  const items = it as unknown[][];
  if (kind === 'chunks') {
    return chunks(task as string, items, n as number);
  }
  return kind === 'map'
    ? map(task as string, items)
    : starmap(task as string, items);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
