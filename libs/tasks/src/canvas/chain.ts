import {
  buildTaskMessage,
  processReplyTo,
  type TaskMessage,
} from '@celeriac/broker';
import type { CanvasContext, CanvasPlan, PlannedMessage } from './canvas-plan';
import { Signature } from './signature';

/**
 * `chain(a, b, c)`: each task's result is prepended to the next one's args
 * (unless immutable). Celery sends only the first message; the rest travel in
 * its `embed.chain`, reversed, and each worker publishes the next step
 * (celery-protocol.md §B.6).
 *
 * @example
 * planChain([signature('add_task', [3, 4]), signature('sum_multiply_task', [3, 4])], ctx)
 */
export function planChain(
  steps: readonly Signature[],
  context: CanvasContext,
): CanvasPlan {
  if (steps.length === 0) {
    throw new RangeError('a chain needs at least one task');
  }
  const frozen = steps.map((step) =>
    step.withOptions({ task_id: step.options.task_id ?? context.newId() }),
  );
  const [first, ...rest] = frozen;
  const firstId = first.options.task_id as string;
  const replyTo = processReplyTo();
  const message = buildTaskMessage({
    task: first.task,
    id: firstId,
    args: [...first.args],
    kwargs: { ...first.kwargs },
    argsForm: 'tuple',
    priority: 0,
    replyTo,
    chain: rest
      .map((step) => step.withOptions({ reply_to: replyTo }).toDict())
      .reverse(),
  });
  const taskIds = frozen.map((step) => step.options.task_id as string);
  return {
    taskId: taskIds[taskIds.length - 1],
    taskIds,
    messages: [{ message, queue: queueOf(first, context) }],
    groups: [],
    chords: [],
  };
}

/**
 * The message a worker publishes after `current` returned `result`, when
 * `current` is a chain step with more to come (Celery's
 * `_dispatch_callbacks_and_chain`): the next signature is the last element
 * of the reversed `embed.chain`; its parent is `current`, its root the same.
 */
export function nextChainStep(
  current: TaskMessage,
  result: unknown,
  context: CanvasContext,
): PlannedMessage | null {
  const remaining = current.embed.chain;
  if (!remaining || remaining.length === 0) {
    return null;
  }
  const next = Signature.fromDict(remaining[remaining.length - 1]);
  const args = next.immutable ? [...next.args] : [result, ...next.args];
  const options = next.options;
  const message = buildTaskMessage({
    task: next.task,
    id: options.task_id ?? context.newId(),
    args,
    kwargs: { ...next.kwargs },
    argsForm: 'tuple',
    rootId: current.headers.root_id,
    parentId: current.headers.id,
    groupId: options.group_id ?? null,
    groupIndex: options.group_index ?? null,
    timeLimit: options.time_limit ?? null,
    softTimeLimit: options.soft_time_limit ?? null,
    replyTo: options.reply_to ?? current.properties.replyTo,
    chain: remaining.slice(0, -1),
    chord: options.chord ?? null,
  });
  return { message, queue: queueOf(next, context) };
}

function queueOf(step: Signature, context: CanvasContext): string {
  return typeof step.options.queue === 'string'
    ? step.options.queue
    : context.queueFor(step.task);
}
