import { buildTaskMessage, processReplyTo } from '@celeriac/broker';
import type { CanvasContext, CanvasPlan } from './canvas-plan';
import type { Signature } from './signature';

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
  const groupId = context.newId();
  const replyTo = processReplyTo();
  const messages = members.map((member) => {
    const id = member.options.task_id ?? context.newId();
    return {
      message: buildTaskMessage({
        task: member.task,
        id,
        args: [...member.args],
        kwargs: { ...member.kwargs },
        argsForm: 'tuple',
        groupId,
        // Celery 5.2 sets group_index only for chord headers.
        groupIndex: null,
        priority: 0,
        replyTo,
      }),
      queue:
        typeof member.options.queue === 'string'
          ? member.options.queue
          : context.queueFor(member.task),
    };
  });
  const childIds = messages.map(({ message }) => message.headers.id);
  return {
    groupId,
    taskId: groupId,
    taskIds: childIds,
    messages,
    groups: [{ groupId, childIds }],
    chords: [],
  };
}
