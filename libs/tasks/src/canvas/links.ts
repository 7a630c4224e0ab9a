import type { SignatureDict, TaskMessage } from '@celeriac/broker';
import type { CanvasContext } from './canvas-plan';
import {
  type CanvasNode,
  fromSignatureDict,
  planNode,
  type WorkflowPlan,
} from './workflow';

/**
 * Celery's `link` after a success (celery/app/trace.py): one callback is
 * applied with the result as partial args; several go out as a group (a
 * group callback on its own), all children of `current`.
 */
export function planCallbacks(
  current: TaskMessage,
  result: unknown,
  context: CanvasContext,
): WorkflowPlan | null {
  const callbacks = (current.embed.callbacks ?? []).map(fromSignatureDict);
  if (callbacks.length === 0) {
    return null;
  }
  const nodes =
    callbacks.length === 1
      ? callbacks
      : [
          ...callbacks.filter((node) => node.kind === 'group'),
          ...asGroup(callbacks.filter((node) => node.kind !== 'group')),
        ];
  return mergePlans(
    nodes.map((node) => planNode(node, at(current, [result]), context)),
  );
}

/**
 * Celery's `_call_task_errbacks` for errbacks sent as tasks: a group of
 * them applied with the failed task's id as first argument, children of
 * `parent` (the failed task's message).
 */
export function planErrbacks(
  errbacks: readonly SignatureDict[] | null | undefined,
  failedId: string,
  parent: TaskMessage,
  context: CanvasContext,
): WorkflowPlan | null {
  if (!errbacks || errbacks.length === 0) {
    return null;
  }
  return planNode(
    { kind: 'group', members: errbacks.map(fromSignatureDict) },
    at(parent, [failedId]),
    context,
  );
}

/** `link_error` of a signature dict, as a list. */
export function errbacksOf(dict: SignatureDict): SignatureDict[] {
  const value = dict.options?.link_error;
  if (Array.isArray(value)) {
    return value;
  }
  return value && typeof value === 'object' ? [value] : [];
}

/** Plans published together, as one. */
export function mergePlans(plans: WorkflowPlan[]): WorkflowPlan | null {
  const [first] = plans;
  if (!first) {
    return null;
  }
  return {
    taskId: first.taskId,
    taskIds: plans.flatMap((plan) => plan.taskIds),
    messages: plans.flatMap((plan) => plan.messages),
    groups: plans.flatMap((plan) => plan.groups),
    chords: plans.flatMap((plan) => plan.chords),
    groupIds: plans.flatMap((plan) => plan.groupIds),
  };
}

function asGroup(members: CanvasNode[]): CanvasNode[] {
  return members.length > 0 ? [{ kind: 'group', members }] : [];
}

function at(parent: TaskMessage, partial: unknown[]) {
  return { partial, rest: [], parent };
}
