import { Signature } from './signature';
import type { CanvasNode } from './workflow';
import { type LinkErrorOptions, linkErrorNode, linkNode } from './node-links';

/** A signature or any canvas built from them. */
export type CanvasLike = Signature | CanvasNode;

/** A canvas node of anything the builders take. */
export function nodeOf(canvas: CanvasLike): CanvasNode {
  return canvas instanceof Signature
    ? { kind: 'task', signature: canvas }
    : canvas;
}

/**
 * Celery's `chain(a, b, ...)`: each step's result is the next one's first
 * argument; steps may be any canvas.
 *
 * @example
 * chain(signature('add_task', [1, 2]), group(signature('add_task', [3])), signature('sum_task'))
 */
export function chain(...steps: CanvasLike[]): CanvasNode {
  return { kind: 'chain', steps: steps.map(nodeOf) };
}

/** Celery's `group(a, b, ...)`: members (any canvas) run in parallel. */
export function group(...members: CanvasLike[]): CanvasNode {
  return { kind: 'group', members: members.map(nodeOf) };
}

/**
 * Celery's `chord(header, body)`: the body runs with the header's results,
 * in header order; header members and the body may be any canvas.
 */
export function chord(header: CanvasLike[], body: CanvasLike): CanvasNode {
  return { kind: 'chord', header: header.map(nodeOf), body: nodeOf(body) };
}

/** Celery's `task.map(it)`: one `celery.map` task running `task(item)` per item. */
export function map(task: string, it: unknown[]): CanvasNode {
  return builtin('celery.map', task, it);
}

/** Celery's `task.starmap(it)`: one `celery.starmap` task running `task(*item)`. */
export function starmap(task: string, it: unknown[][]): CanvasNode {
  return builtin('celery.starmap', task, it);
}

/**
 * Celery's `task.chunks(it, n)`, as a Python client applies it: a group of
 * `celery.starmap` tasks over `it` in chunks of `n`.
 */
export function chunks(task: string, it: unknown[][], n: number): CanvasNode {
  if (!Number.isInteger(n) || n < 1) {
    throw new RangeError('chunks needs a chunk size of at least 1');
  }
  const members: CanvasNode[] = [];
  for (let start = 0; start < it.length; start += n) {
    members.push(starmap(task, it.slice(start, start + n)));
  }
  return { kind: 'group', members };
}

/** Celery's `canvas.link(callback)`: applied with the canvas's result. */
export function link(canvas: CanvasLike, callback: CanvasLike): CanvasNode {
  return linkNode(nodeOf(canvas), nodeOf(callback));
}

/**
 * Celery's `canvas.on_error(errback)`: applied with the failed task's id.
 * On a chord it goes to the body; `{ allowErrorCbOnChordHeader: true }`
 * (Celery's `task_allow_error_cb_on_chord_header`) links an immutable copy
 * to each header member too.
 */
export function onError(
  canvas: CanvasLike,
  errback: CanvasLike,
  options: LinkErrorOptions = {},
): CanvasNode {
  return linkErrorNode(nodeOf(canvas), nodeOf(errback), options);
}

function builtin(name: string, task: string, it: unknown[]): CanvasNode {
  return {
    kind: 'task',
    signature: new Signature(name, [], {
      task: new Signature(task).toDict(),
      it,
    }),
  };
}
