import { Injectable, Logger } from '@nestjs/common';
import {
  buildTaskMessage,
  type SignatureOptions,
  type TaskMessage,
} from '@celeriac/broker';
import { logLevelEnabled } from '@celeriac/config';
import type { CanvasContext, CanvasPlan } from '../canvas/canvas-plan';
import { planChain } from '../canvas/chain';
import { planChord } from '../canvas/chord';
import { planGroup } from '../canvas/group';
import { type CanvasNode, planWorkflow } from '../canvas/workflow';
import { PlanPublisher } from './plan-publisher';
import { TaskRouter } from './task-router';
import type { Signature } from '../canvas/signature';
import { type ConcurrencyKey, limitHeaders } from '../limits/limit-headers';

/** Options of `sendTask`, named as Celery's `send_task` names them. */
export interface SendTaskOptions {
  args?: unknown[];
  kwargs?: Record<string, unknown>;
  queue?: string;
  taskId?: string;
  /** Seconds from now before it may run (Celery's `countdown`). */
  countdown?: number;
  /** When it may run; `countdown` wins when both are given. */
  eta?: Date;
  /** After this it is REVOKED instead of run: a date, or seconds from now. */
  expires?: Date | number;
  /** Hard and soft time limits in seconds, overriding the task's. */
  timeLimit?: number;
  softTimeLimit?: number;
  /** AMQP priority (0-255; effective on queues declared with x-max-priority). */
  priority?: number;
  /** Retries before FAILURE, overriding the task's declaration. */
  maxRetries?: number;
  /** This message's rate limit in Celery's syntax (a celeriac header). */
  rateLimit?: string | number;
  /** This message's concurrency key and limit (a celeriac header). */
  concurrency?: ConcurrencyKey;
}

/** One task of {@link TaskProducer.sendMany}. */
export interface SendTaskCall {
  task: string;
  options?: SendTaskOptions;
}

/**
 * Sends tasks and canvases: records every id as PENDING (so a reader can
 * tell "queued" from "unknown"), saves group results, then publishes with
 * publisher confirms. Celery's `send_task` / `apply_async`.
 */
@Injectable()
export class TaskProducer implements CanvasContext {
  private readonly logger = new Logger(TaskProducer.name);

  constructor(
    private readonly publisher: PlanPublisher,
    private readonly router: TaskRouter,
  ) {}

  queueFor(task: string): string {
    return this.router.queueFor(task);
  }

  newId(): string {
    return this.router.newId();
  }

  /** `send_task(name, args, kwargs, queue=...)`; resolves with the task id. */
  async sendTask(
    task: string,
    options: SendTaskOptions = {},
  ): Promise<{ taskId: string }> {
    const [taskId] = await this.sendMany([{ task, options }]);
    return { taskId };
  }

  /**
   * Many `send_task` calls as one plan: one Redis round trip marks every
   * id PENDING, then every message is published with confirms. All or
   * nothing: when any publish fails, every mark is taken back and it rejects.
   * @returns the task ids, in the order of `calls`
   */
  async sendMany(calls: readonly SendTaskCall[]): Promise<string[]> {
    const messages = calls.map(({ task, options = {} }) => ({
      message: this.messageFor(task, options),
      queue: options.queue ?? this.queueFor(task),
    }));
    const taskIds = messages.map(({ message }) => message.headers.id);
    await this.apply({
      taskId: taskIds[0] ?? '',
      taskIds,
      messages,
      groups: [],
      chords: [],
    });
    return taskIds;
  }

  private messageFor(task: string, options: SendTaskOptions): TaskMessage {
    const message = this.plainMessageFor(task, options);
    if (options.rateLimit !== undefined || options.concurrency) {
      Object.assign(message.headers, limitHeaders(options));
    }
    return message;
  }

  private plainMessageFor(task: string, options: SendTaskOptions): TaskMessage {
    return buildTaskMessage({
      task,
      id: options.taskId ?? this.newId(),
      args: options.args ?? [],
      kwargs: options.kwargs ?? {},
      argsForm: 'list',
      priority: options.priority ?? 0,
      maxRetries: options.maxRetries,
      eta:
        options.countdown !== undefined
          ? new Date(Date.now() + options.countdown * 1000)
          : options.eta,
      expires:
        typeof options.expires === 'number'
          ? new Date(Date.now() + options.expires * 1000)
          : options.expires,
      timeLimit: options.timeLimit,
      softTimeLimit: options.softTimeLimit,
    });
  }

  /** `chain(*steps).apply_async()`; the task id is the last step's. */
  async applyChain(
    steps: readonly Signature[],
  ): Promise<{ taskId: string; taskIds: string[] }> {
    const plan = planChain(steps, this);
    await this.apply(plan);
    return { taskId: plan.taskId, taskIds: plan.taskIds };
  }

  /** `group(*members).apply_async()` followed by `.save()`. */
  async applyGroup(
    members: readonly Signature[],
    options: SignatureOptions = {},
  ): Promise<{ groupId: string; taskIds: string[] }> {
    const plan = planGroup(
      members.map((member) => member.withOptions(options)),
      this,
    );
    await this.apply(plan);
    return { groupId: plan.groupId, taskIds: plan.taskIds };
  }

  /**
   * `chord(header)(body)`: the body runs with the header's results, in
   * order; the task id is the body's.
   */
  async applyChord(
    header: readonly Signature[],
    body: Signature,
  ): Promise<{ taskId: string; groupId: string; taskIds: string[] }> {
    const plan = planChord(header, body, this);
    await this.apply(plan);
    return {
      taskId: plan.taskId,
      groupId: plan.groupId,
      taskIds: plan.taskIds,
    };
  }

  /**
   * Any canvas, nested to any depth (`POST /v1/workflows`).
   * @returns the final task's id, every task id and every group id
   */
  async applyWorkflow(
    workflow: CanvasNode,
  ): Promise<{ taskId: string; taskIds: string[]; groupIds: string[] }> {
    const plan = planWorkflow(workflow, this);
    await this.apply(plan);
    return {
      taskId: plan.taskId,
      taskIds: plan.taskIds,
      groupIds: plan.groupIds,
    };
  }

  private async apply(plan: CanvasPlan): Promise<void> {
    await this.publisher.publish(plan);
    // Built only when debug is on: this runs for every api request.
    if (!logLevelEnabled('debug')) {
      return;
    }
    this.logger.debug({
      msg: 'published',
      taskId: plan.taskId,
      tasks: plan.messages.map(({ message }) => message.headers.task),
    });
  }
}
