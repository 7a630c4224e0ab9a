import {
  buildTaskMessage,
  processReplyTo,
  type TaskMessage,
} from '@celeriac/broker';
import type { CanvasContext, CanvasPlan, PlannedMessage } from './canvas-plan';
import type { Signature } from './signature';
import { continueWorkflow } from './workflow';

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
 * the next step of its chain is a single task (see `continueWorkflow` for
 * steps of any kind).
 */
export function nextChainStep(
  current: TaskMessage,
  result: unknown,
  context: CanvasContext,
): PlannedMessage | null {
  return continueWorkflow(current, result, context)?.messages[0] ?? null;
}

function queueOf(step: Signature, context: CanvasContext): string {
  return typeof step.options.queue === 'string'
    ? step.options.queue
    : context.queueFor(step.task);
}
