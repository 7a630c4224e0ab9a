import { Controller } from '@nestjs/common';
import type { SignatureDict } from '@celeriac/broker';
import { Signature } from '../canvas/signature';
import {
  type CanvasNode,
  fromSignatureDict,
  planNode,
  type WorkflowPlan,
} from '../canvas/workflow';
import { PlanPublisher } from '../producer/plan-publisher';
import { TaskRouter } from '../producer/task-router';
import { TaskRegistry } from '../registry/task.registry';
import { Task } from '../task.decorator';
import type { TaskCall } from '../task-call';
import { callInProcess } from './in-process-call';

/** Celery's result tuple of an id: `[[id, parent], None]`-like, as JSON. */
type ResultTuple = [string, null];

/**
 * Celery's builtin canvas tasks (celery/app/builtins.py) under their Python
 * names: what a Python client's `task.map(...)`, `task.starmap(...)` and
 * `task.chunks(...)` send, and the older `celery.group` / `celery.chord`
 * messages, run on a celeriac worker as on a Python one.
 */
@Controller()
export class CeleryCanvasTasks {
  constructor(
    private readonly registry: TaskRegistry,
    private readonly router: TaskRouter,
    private readonly publisher: PlanPublisher,
  ) {}

  /** `celery.map(task, it)`: `[task(item) for item in it]`, in this process. */
  @Task({
    name: 'celery.map',
    params: ['task', 'it'],
    description: "Celery's builtin: runs task(item) for each item",
  })
  map({ args: [task, it], request }: TaskCall): Promise<unknown[]> {
    return this.callEach(task, it, request, (item) => [item]);
  }

  /** `celery.starmap(task, it)`: `[task(*item) for item in it]`, in this process. */
  @Task({
    name: 'celery.starmap',
    params: ['task', 'it'],
    description: "Celery's builtin: runs task(*item) for each item",
  })
  starmap({ args: [task, it], request }: TaskCall): Promise<unknown[]> {
    return this.callEach(task, it, request, listOf);
  }

  /** Calls `task` in this process once per item, one after another, as Celery's map does. */
  private async callEach(
    task: unknown,
    it: unknown,
    request: TaskCall['request'],
    argsOf: (item: unknown) => unknown[],
  ): Promise<unknown[]> {
    const results: unknown[] = [];
    for (const item of listOf(it)) {
      results.push(
        await callInProcess(
          this.registry,
          task as SignatureDict,
          argsOf(item),
          request,
        ),
      );
    }
    return results;
  }

  /**
   * `celery.chunks(task, it, n)`: a group of `celery.starmap` tasks over
   * `it` in chunks of `n` (Celery's `chunks.apply_chunks`); returns the
   * group's result tuple.
   */
  @Task({
    name: 'celery.chunks',
    params: ['task', 'it', 'n'],
    description: "Celery's builtin: a group of starmaps over chunks of it",
  })
  async chunks({ args: [task, it, n] }: TaskCall): Promise<unknown> {
    const size = typeof n === 'number' && n > 0 ? Math.floor(n) : 1;
    const items = listOf(it);
    const members: CanvasNode[] = [];
    for (let start = 0; start < items.length; start += size) {
      members.push({
        kind: 'task',
        signature: new Signature('celery.starmap', [], {
          task,
          it: items.slice(start, start + size),
        }),
      });
    }
    const plan = await this.apply({ kind: 'group', members });
    return groupTuple(plan);
  }

  /**
   * `celery.group(tasks, result, group_id, partial_args)`: applies each
   * task with the group id and the partial args; returns `result`.
   */
  @Task({
    name: 'celery.group',
    params: ['tasks', 'result', 'group_id', 'partial_args', 'add_to_parent'],
    description: "Celery's builtin: applies a group's tasks",
  })
  async group({
    args: [tasks, result, groupId, partialArgs],
  }: TaskCall): Promise<unknown> {
    await this.apply(
      {
        kind: 'group',
        members: listOf(tasks).map((task) =>
          fromSignatureDict(task as SignatureDict),
        ),
        ...(typeof groupId === 'string' ? { groupId } : {}),
      },
      listOf(partialArgs),
    );
    return result;
  }

  /**
   * `celery.chord(header, body, partial_args=())`: runs the chord (the
   * header with the body waiting on it); returns the body's result tuple.
   */
  @Task({
    name: 'celery.chord',
    params: [
      'header',
      'body',
      'partial_args',
      'interval',
      'countdown',
      'max_retries',
      'eager',
      '**kwargs',
    ],
    description: "Celery's builtin: applies a chord",
  })
  async chord({
    args: [header, body, partialArgs],
  }: TaskCall): Promise<ResultTuple> {
    const headerNode = isDict(header)
      ? fromSignatureDict(header)
      : { kind: 'group' as const, members: [] };
    const plan = await this.apply(
      {
        kind: 'chord',
        header:
          headerNode.kind === 'group'
            ? headerNode.members
            : listOf(header).map((task) =>
                fromSignatureDict(task as SignatureDict),
              ),
        body: fromSignatureDict(body as SignatureDict),
        ...(headerNode.kind === 'group' && headerNode.groupId
          ? { groupId: headerNode.groupId }
          : {}),
      },
      listOf(partialArgs),
    );
    return [plan.taskId, null];
  }

  private async apply(
    node: CanvasNode,
    partial: unknown[] = [],
  ): Promise<WorkflowPlan> {
    const plan = planNode(
      node,
      { partial, rest: [], parent: null },
      this.router,
    );
    await this.publisher.publish(plan);
    return plan;
  }
}

function listOf(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function isDict(value: unknown): value is SignatureDict {
  return (
    value !== null &&
    typeof value === 'object' &&
    !Array.isArray(value) &&
    typeof (value as { task?: unknown }).task === 'string'
  );
}

/** A GroupResult's `as_tuple()`: `[[group_id, None], [child tuples]]`. */
function groupTuple(plan: WorkflowPlan): unknown {
  const [group] = plan.groups;
  return [
    [plan.taskId, null],
    (group?.childIds ?? []).map((id) => [[id, null], null]),
  ];
}
