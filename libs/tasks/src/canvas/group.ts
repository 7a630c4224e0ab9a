import type { CanvasContext, CanvasPlan } from './canvas-plan';
import type { Signature } from './signature';
import { planWorkflow } from './workflow';

/**
 * `group(a, b)`: the tasks run in parallel; each message carries the group
 * id in its `group` header (celery-protocol.md §B.7). The plan saves the
 * group's `GroupResult`, which Celery leaves to the caller (the seed's 404).
 *
 * @example
 * planGroup([signature('add_task', [1, 2]), signature('multi_task', [1, 2])], ctx)
 */
export function planGroup(
  members: readonly Signature[],
  context: CanvasContext,
): CanvasPlan & { groupId: string } {
  if (members.length === 0) {
    throw new RangeError('a group needs at least one task');
  }
  const plan = planWorkflow(
    {
      kind: 'group',
      members: members.map((signature) => ({ kind: 'task', signature })),
    },
    context,
  );
  return { ...plan, groupId: plan.taskId };
}
