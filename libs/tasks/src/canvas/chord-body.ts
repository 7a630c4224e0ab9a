import type { SignatureDict, TaskMessage } from '@celeriac/broker';
import type { CanvasContext } from './canvas-plan';
import { errbacksOf, planErrbacks } from './links';
import {
  finalIdOf,
  fromSignatureDict,
  planNode,
  type WorkflowPlan,
} from './workflow';

/**
 * The chord body, applied by the worker that stored the last header part
 * (Celery's `callback.delay(results)`): a task, or any canvas (a chain, a
 * group, another chord), with the header's results, in header order, as
 * its partial args; its parent is that last part.
 */
export function planChordBody(
  lastPart: TaskMessage,
  body: SignatureDict,
  results: unknown[],
  context: CanvasContext,
): WorkflowPlan {
  const plan = planNode(
    fromSignatureDict(body),
    { partial: [results], rest: [], parent: lastPart },
    context,
  );
  return { ...plan, continuation: true };
}

/** The id whose result is the chord's: the body's (last) task or group. */
export function chordResultId(body: SignatureDict): string | undefined {
  const own = body.options?.task_id;
  return typeof own === 'string' ? own : finalIdOf([fromSignatureDict(body)]);
}

/**
 * Celery's `chord_error_from_stack`: the body's errbacks, applied with the
 * body's id, when a header part failed.
 */
export function planChordErrbacks(
  lastPart: TaskMessage,
  body: SignatureDict,
  context: CanvasContext,
): WorkflowPlan | null {
  const bodyId = chordResultId(body);
  return bodyId === undefined
    ? null
    : planErrbacks(errbacksOf(body), bodyId, lastPart, context);
}
