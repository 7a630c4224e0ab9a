import {
  Inject,
  Injectable,
  Logger,
  OnApplicationShutdown,
} from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  CeleryClient,
  pyRepr,
  pythonJsonStringify,
  type TaskDelivery,
  type TaskDispatcher,
  type TaskInvoker,
  type TaskMessage,
  type UndecodableDelivery,
} from '@celeriac/broker';
import {
  ChordRepository,
  ResultRepository,
  type StoreResultExtra,
  TaskState,
  toExceptionInfo,
  type ExceptionInfo,
} from '@celeriac/results';
import type { CanvasContext } from '../canvas/canvas-plan';
import { nextChainStep } from '../canvas/chain';
import { chordBodyStep } from '../canvas/chord';
import { TaskRegistry } from '../registry/task.registry';
import type { TaskCall } from '../task-call';
import {
  TASKS_MODULE_OPTIONS,
  type TasksModuleOptions,
} from '../tasks.module-definition';
import { bindArguments } from './bind-arguments';

/** Pause before a requeue, so a Redis or broker outage is not a hot loop. */
const REQUEUE_DELAY_MS = 1000;

/**
 * Runs delivered tasks the way a Celery worker does (celery-protocol.md
 * §B.9): STARTED, then the task, then the next chain step, then SUCCESS or
 * FAILURE with Celery's exception dict, and only then the ack (acks late,
 * so a worker that dies mid-task leaves the message to be redelivered).
 * Messages that can never run are rejected without requeue, with the reason
 * logged and, when they have an id, stored as their result.
 */
@Injectable()
export class TaskExecutor
  implements TaskDispatcher, CanvasContext, OnApplicationShutdown
{
  private readonly logger = new Logger(TaskExecutor.name);
  private readonly shutdown = new AbortController();

  constructor(
    private readonly results: ResultRepository,
    private readonly chords: ChordRepository,
    private readonly client: CeleryClient,
    private readonly registry: TaskRegistry,
    @Inject(TASKS_MODULE_OPTIONS) private readonly options: TasksModuleOptions,
  ) {}

  onApplicationShutdown(): void {
    this.shutdown.abort();
  }

  queueFor(task: string): string {
    return this.registry.get(task)?.queue ?? this.options.defaultQueue;
  }

  newId(): string {
    return randomUUID();
  }

  async dispatch(
    delivery: TaskDelivery,
    invoke: TaskInvoker | undefined,
  ): Promise<void> {
    const { message } = delivery;
    const { task } = message.headers;
    if (!invoke) {
      await this.refuse(delivery, message, {
        exc_type: 'NotRegistered',
        exc_message: [task],
        exc_module: 'celery.exceptions',
      });
      return;
    }
    let call: TaskCall;
    try {
      call = this.callFor(delivery);
    } catch (error) {
      await this.refuse(delivery, message, toExceptionInfo(error));
      return;
    }
    try {
      await this.run(message, call, invoke);
      delivery.ack();
    } catch (error) {
      // The result or the next step could not be written: run it again later.
      this.logger.error({
        msg: 'task outcome not recorded, requeueing',
        taskId: message.headers.id,
        task,
        err: error,
      });
      await sleep(REQUEUE_DELAY_MS);
      delivery.reject(true);
    }
  }

  async rejectUndecodable(delivery: UndecodableDelivery): Promise<void> {
    this.logger.warn({
      msg: 'rejected a message that is not a runnable Celery task',
      reason: delivery.reason,
      taskId: delivery.taskId,
      task: delivery.task,
      queue: delivery.queue,
    });
    if (delivery.taskId !== undefined) {
      await this.storeQuietly(delivery.taskId, TaskState.Failure, {
        exc_type: 'DecodeError',
        exc_message: [delivery.reason],
        exc_module: 'kombu.exceptions',
      });
    }
    delivery.reject(false);
  }

  private callFor(delivery: TaskDelivery): TaskCall {
    const { message, queue } = delivery;
    const { headers } = message;
    const definition = this.registry.get(headers.task);
    const { args, kwargs } = definition
      ? bindArguments(
          headers.task,
          definition.params,
          message.args,
          message.kwargs,
        )
      : { args: message.args, kwargs: message.kwargs };
    return {
      args,
      kwargs,
      request: {
        id: headers.id,
        task: headers.task,
        retries: headers.retries,
        timeLimit: headers.timelimit,
        rootId: headers.root_id,
        parentId: headers.parent_id,
        groupId: headers.group,
        groupIndex: headers.group_index,
        hostname: this.options.hostname,
        queue,
        signal: this.shutdown.signal,
      },
    };
  }

  private async run(
    message: TaskMessage,
    call: TaskCall,
    invoke: TaskInvoker,
  ): Promise<void> {
    const { headers } = message;
    const store = !headers.ignore_result;
    const extra = this.extraOf(message);
    const log = { taskId: headers.id, task: headers.task };
    if (store) {
      await this.results.storeResult(
        headers.id,
        TaskState.Started,
        { pid: process.pid, hostname: this.options.hostname },
        extra,
      );
    }
    this.logger.debug({ msg: 'task started', ...log });

    let value: unknown;
    try {
      value = await invoke(call);
    } catch (error) {
      await this.recordFailure(message, error, store, extra);
      return;
    }

    // Celery publishes the next step before storing the result, so the
    // result's children are known when a reader sees SUCCESS.
    const next = nextChainStep(message, value, this);
    if (next) {
      await this.results.markPending(next.message.headers.id);
      await this.client.publishTask(next.message, next.queue);
    }
    if (store) {
      await this.results.storeResult(headers.id, TaskState.Success, value, {
        ...extra,
        children: next ? [[[next.message.headers.id, null], null]] : [],
      });
    }
    await this.onChordPartReturn(message, TaskState.Success, value);
    this.logger.log({ msg: 'task succeeded', ...log });
  }

  private async recordFailure(
    message: TaskMessage,
    error: unknown,
    store: boolean,
    extra: StoreResultExtra,
  ): Promise<void> {
    const { headers } = message;
    const exception = toExceptionInfo(error);
    const traceback = stackOf(error);
    this.logger.warn({
      msg: 'task failed',
      taskId: headers.id,
      task: headers.task,
      error: describeException(exception),
    });
    if (store) {
      await this.results.storeResult(headers.id, TaskState.Failure, exception, {
        ...extra,
        traceback,
      });
    }
    await this.onChordPartReturn(message, TaskState.Failure, exception);
    // Celery fails the rest of the chain too, or a client waiting on the
    // chain's last id would wait forever.
    for (const step of message.embed.chain ?? []) {
      const id = step.options?.task_id;
      if (typeof id === 'string') {
        await this.results.storeResult(id, TaskState.Failure, exception, {
          traceback,
          parentId: headers.id,
        });
      }
    }
  }

  /** Rejects a message that can never run, and says why in its result. */
  private async refuse(
    delivery: TaskDelivery,
    message: TaskMessage,
    exception: ExceptionInfo,
  ): Promise<void> {
    const { headers } = message;
    this.logger.warn({
      msg: 'rejected a task that cannot run',
      taskId: headers.id,
      task: headers.task,
      queue: delivery.queue,
      reason: describeException(exception),
    });
    await this.storeQuietly(
      headers.id,
      TaskState.Failure,
      exception,
      this.extraOf(message),
    );
    try {
      // A chord must not wait forever for a part that can never run.
      await this.onChordPartReturn(message, TaskState.Failure, exception);
    } catch (error) {
      this.logger.error({
        msg: 'chord part not recorded',
        taskId: headers.id,
        err: error,
      });
    }
    delivery.reject(false);
  }

  /**
   * Celery's `on_chord_part_return` for the Redis backend (§C.7): records
   * this header task's outcome; the worker that records the last part
   * publishes the body with every result, or fails it with ChordError.
   */
  private async onChordPartReturn(
    message: TaskMessage,
    state: TaskState,
    result: unknown,
  ): Promise<void> {
    const { chord } = message.embed;
    const { group, group_index, id } = message.headers;
    if (!chord || !group) {
      return;
    }
    const progress = await this.chords.addPart(
      group,
      group_index,
      pythonJsonStringify([1, id, state, result]),
    );
    if (
      progress.size === null ||
      progress.readyCount !== progress.size + progress.added
    ) {
      return;
    }
    const parts = await this.chords.readParts(group);
    const culprit = parts.find(
      (part) =>
        part.state === (TaskState.Failure as string) ||
        part.state === (TaskState.Revoked as string),
    );
    if (culprit) {
      const bodyId = chord.options?.task_id;
      if (typeof bodyId === 'string') {
        await this.results.storeResult(
          bodyId,
          TaskState.Failure,
          {
            exc_type: 'ChordError',
            exc_message: [
              `Dependency ${culprit.taskId} raised ${exceptionRepr(culprit.result)}`,
            ],
            exc_module: 'celery.exceptions',
          },
          { parentId: id },
        );
      }
    } else {
      const body = chordBodyStep(
        message,
        chord,
        parts.map((part) => part.result),
        this,
      );
      await this.results.markPending(body.message.headers.id);
      await this.client.publishTask(body.message, body.queue);
    }
    await this.chords.delete(group);
  }

  // A refused message is rejected whether or not its result can be written.
  private async storeQuietly(
    taskId: string,
    state: TaskState,
    exception: ExceptionInfo,
    extra: StoreResultExtra = {},
  ): Promise<void> {
    try {
      await this.results.storeResult(taskId, state, exception, extra);
    } catch (error) {
      this.logger.error({ msg: 'could not store result', taskId, err: error });
    }
  }

  private extraOf(message: TaskMessage): StoreResultExtra {
    const { headers } = message;
    return {
      ...(headers.group ? { groupId: headers.group } : {}),
      ...(headers.parent_id ? { parentId: headers.parent_id } : {}),
    };
  }
}

/** `TypeError: add_task() takes 2 positional arguments but 3 were given` */
function describeException(exception: ExceptionInfo): string {
  const message = exception.exc_message
    .map((part) => (typeof part === 'string' ? part : JSON.stringify(part)))
    .join(', ');
  return `${exception.exc_type}: ${message}`;
}

function stackOf(error: unknown): string | null {
  const stack = (error as { stack?: unknown } | null)?.stack;
  return typeof stack === 'string' ? stack : null;
}

/** Python's repr of a stored exception: `ValueError('boom')`. */
function exceptionRepr(result: unknown): string {
  const { exc_type, exc_message } = (result ?? {}) as Partial<ExceptionInfo>;
  const args = Array.isArray(exc_message) ? exc_message : [];
  return `${exc_type ?? 'Exception'}(${args.map((arg) => pyRepr(arg)).join(', ')})`;
}
