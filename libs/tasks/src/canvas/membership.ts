import type { SignatureDict } from '@celeriac/broker';
import type { CanvasNode } from './workflow';

/** What a group or chord header tells each of its members. */
export interface Membership {
  groupId: string;
  /** A chord header's position; plain groups send none. */
  groupIndex?: number;
  /** The chord body a header part reports to. */
  chord?: SignatureDict;
}

/**
 * Celery's `_freeze_unroll`: groups nested in a group or chord header are
 * flattened into it. Celery pushes an inner group's members back on the
 * front of its deque with `extendleft`, which reverses them, and so does
 * this, so the header indexes (and the chord's result order) match Celery's.
 */
export function unrollGroups(members: readonly CanvasNode[]): CanvasNode[] {
  const stack = [...members];
  const unrolled: CanvasNode[] = [];
  while (stack.length > 0) {
    const member = stack.shift() as CanvasNode;
    if (member.kind === 'group') {
      stack.unshift(...[...member.members].reverse());
    } else {
      unrolled.push(member);
    }
  }
  return unrolled;
}

/**
 * Puts a member's group (and chord) on the node whose result is the
 * member's result, as Celery's `freeze(group_id=..., chord=...)` does: a
 * task itself, a chain's last step, a chord's body, each task of a group.
 */
export function withMembership(
  node: CanvasNode,
  membership: Membership,
): CanvasNode {
  switch (node.kind) {
    case 'task':
      return {
        kind: 'task',
        signature: node.signature.withOptions({
          group_id: membership.groupId,
          ...(membership.chord ? { chord: membership.chord } : {}),
          ...(membership.groupIndex === undefined
            ? {}
            : { group_index: membership.groupIndex }),
        }),
      };
    case 'chain': {
      const steps = [...node.steps];
      const last = steps.pop();
      return last
        ? { kind: 'chain', steps: [...steps, withMembership(last, membership)] }
        : node;
    }
    case 'chord':
      return { ...node, body: withMembership(node.body, membership) };
    case 'group':
      return {
        ...node,
        members: node.members.map((member) =>
          withMembership(member, membership),
        ),
      };
  }
}

/**
 * Celery's `chord._descend`: how many parts a member reports to its chord
 * (a task 1, a group the sum of its members, a chain its last non-empty
 * step, a chord its body).
 */
export function chordPartsOf(node: CanvasNode): number {
  switch (node.kind) {
    case 'task':
      return 1;
    case 'group':
      return node.members.reduce(
        (total, member) => total + chordPartsOf(member),
        0,
      );
    case 'chain':
      for (const step of [...node.steps].reverse()) {
        const parts = chordPartsOf(step);
        if (parts > 0) {
          return parts;
        }
      }
      return 0;
    case 'chord':
      return chordPartsOf(node.body);
  }
}
