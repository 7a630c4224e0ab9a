import type { SignatureDict } from '@celeriac/broker';
import { Signature } from './signature';
import { type CanvasNode, toSignatureDict } from './workflow';

/**
 * Celery's `sig.link(callback)` on a canvas of any kind: a task lists it in
 * `options.link`; a chain links its last step; a group its first member,
 * with the callback made immutable (Celery's `group.link`); a chord its body.
 */
export function linkNode(node: CanvasNode, callback: CanvasNode): CanvasNode {
  switch (node.kind) {
    case 'task':
      return appendOption(node, 'link', toSignatureDict(callback));
    case 'chain':
      return {
        ...node,
        steps: node.steps.map((step, index) =>
          index === node.steps.length - 1 ? linkNode(step, callback) : step,
        ),
      };
    case 'group':
      return {
        ...node,
        members: node.members.map((member, index) =>
          index === 0 ? linkNode(member, immutable(callback)) : member,
        ),
      };
    case 'chord':
      return { ...node, body: linkNode(node.body, callback) };
  }
}

/** How `link_error` treats a chord (Celery's app settings). */
export interface LinkErrorOptions {
  /**
   * Celery's `task_allow_error_cb_on_chord_header` (Celery 5.3+; default
   * false): a chord's errback is linked to each header member too, so a
   * failing header task calls it (with its own id) besides the body's
   * ChordError.
   */
  allowErrorCbOnChordHeader?: boolean;
}

/**
 * Celery's `sig.link_error(errback)` / `on_error`: a task lists it in
 * `options.link_error`; every step of a chain and every member of a group
 * gets it; a chord gives it to its body, and with
 * `allowErrorCbOnChordHeader` a copy to each header member.
 */
export function linkErrorNode(
  node: CanvasNode,
  errback: CanvasNode,
  options: LinkErrorOptions = {},
): CanvasNode {
  switch (node.kind) {
    case 'task':
      return appendOption(node, 'link_error', toSignatureDict(errback));
    case 'chain':
      return {
        ...node,
        steps: node.steps.map((step) => linkErrorNode(step, errback, options)),
      };
    case 'group':
      return {
        ...node,
        members: node.members.map((member) =>
          linkErrorNode(member, errback, options),
        ),
      };
    case 'chord':
      return {
        ...node,
        header: options.allowErrorCbOnChordHeader
          ? node.header.map((member) =>
              linkErrorNode(member, headerCopy(errback), options),
            )
          : node.header,
        body: linkErrorNode(node.body, errback, options),
      };
  }
}

function appendOption(
  node: Extract<CanvasNode, { kind: 'task' }>,
  key: 'link' | 'link_error',
  dict: SignatureDict,
): CanvasNode {
  const current = node.signature.options[key];
  const list: SignatureDict[] = Array.isArray(current)
    ? [...current]
    : current
      ? [current]
      : [];
  return {
    kind: 'task',
    signature: node.signature.withOptions({ [key]: [...list, dict] }),
  };
}

/**
 * Celery's `errback.clone(immutable=True)` for a chord's header: `clone`
 * takes `immutable` as an option, so the copy carries
 * `options.immutable: true` and stays mutable (it is still called with the
 * failed task's id), byte for byte what Celery sends.
 */
function headerCopy(node: CanvasNode): CanvasNode {
  return node.kind === 'task'
    ? {
        kind: 'task',
        signature: node.signature.withOptions({ immutable: true }),
      }
    : node;
}

function immutable(node: CanvasNode): CanvasNode {
  if (node.kind !== 'task') {
    return node;
  }
  const { task, args, kwargs, options } = node.signature;
  return {
    kind: 'task',
    signature: new Signature(task, args, kwargs, options, true),
  };
}
