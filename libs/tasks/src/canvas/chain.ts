import type { TaskMessage } from '@celeriac/broker';
import type { CanvasContext, CanvasPlan, PlannedMessage } from './canvas-plan';
import type { Signature } from './signature';
import { continueWorkflow, planWorkflow } from './workflow';

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
  return planWorkflow(
    {
      kind: 'chain',
      steps: steps.map((signature) => ({ kind: 'task', signature })),
    },
    context,
  );
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
