import type { SignatureDict, TaskMessage } from '@celeriac/broker';
import type { CanvasContext, CanvasPlan, PlannedMessage } from './canvas-plan';
import { planChordBody } from './chord-body';
import type { Signature } from './signature';
import { planWorkflow } from './workflow';

/**
 * `chord(header, body)`: the header tasks run in parallel; when the last one
 * is stored, the body runs with their results, in header order
 * (celery-protocol.md §B.8, §C.7). Each header message carries the group id,
 * its index and the body signature in `embed.chord`; the chord's size goes to
 * Redis before any header task runs.
 *
 * @example
 * planChord([signature('add_task', [1, 1]), signature('add_task', [2, 2])], signature('sum_task'), ctx)
 */
export function planChord(
  header: readonly Signature[],
  body: Signature,
  context: CanvasContext,
): CanvasPlan & { groupId: string } {
  const plan = planWorkflow(
    {
      kind: 'chord',
      header: header.map((signature) => ({ kind: 'task', signature })),
      body: { kind: 'task', signature: body },
    },
    context,
  );
  return { ...plan, groupId: plan.groupIds[0] };
}

/**
 * The chord body's message, published by the worker that stored the last
 * header part: its results are prepended to the body's args (unless
 * immutable); its parent is that last header task.
 */
export function chordBodyStep(
  lastPart: TaskMessage,
  body: SignatureDict,
  results: unknown[],
  context: CanvasContext,
): PlannedMessage {
  return planChordBody(lastPart, body, results, context).messages[0];
}
