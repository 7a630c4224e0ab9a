import { Inject, Injectable, Logger } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  CeleryClient,
  type TaskDelivery,
  type UndecodableDelivery,
} from '@celeriac/broker';
import {
  type ExceptionInfo,
  ResultRepository,
  type StoreResultExtra,
  TaskState,
} from '@celeriac/results';
import {
  ChordCompletion,
  TaskRouter,
  TASKS_MODULE_OPTIONS,
  type TasksModuleOptions,
} from '@celeriac/tasks';
import { TaskEvents } from '../events/task-events';
import { describeException } from './error-text';
import { resultExtraOf } from './run-policy';

/** Pause before a requeue, so a Redis or broker outage is not a hot loop. */
export const REQUEUE_DELAY_MS = 1000;

/**
 * Messages that can never run (unknown task, arguments that do not bind,
 * undecodable, past the delivery limit): their result says why, a chord
 * waiting for them is told, and the message moves to `celeriac.dead-letter`
 * with the reason in its headers.
 */
@Injectable()
export class DeadLetters {
  private readonly logger = new Logger(DeadLetters.name);

  constructor(
    private readonly results: ResultRepository,
    private readonly client: CeleryClient,
    private readonly chords: ChordCompletion,
    private readonly router: TaskRouter,
    private readonly events: TaskEvents,
    @Inject(TASKS_MODULE_OPTIONS) private readonly options: TasksModuleOptions,
  ) {}

  /** A task message that can never run: its result says why, and it is dead-lettered. */
  async refuse(
    delivery: TaskDelivery,
    exception: ExceptionInfo,
  ): Promise<void> {
    const { message } = delivery;
    const { headers } = message;
    await this.storeQuietly(
      headers.id,
      TaskState.Failure,
      exception,
      resultExtraOf(message, this.options.hostname),
    );
    try {
      // A chord must not wait forever for a part that can never run.
      await this.chords.partReturned(
        message,
        TaskState.Failure,
        exception,
        this.router,
      );
    } catch (error) {
      this.logger.error({
        msg: 'chord part not recorded',
        taskId: headers.id,
        err: error,
      });
    }
    await this.deadLetter(delivery, describeException(exception), {
      taskId: headers.id,
      task: headers.task,
    });
  }

  /** A delivery that is no runnable task message (or one past its delivery limit). */
  async rejectUndecodable(delivery: UndecodableDelivery): Promise<void> {
    if (delivery.taskId !== undefined) {
      await this.storeQuietly(delivery.taskId, TaskState.Failure, {
        exc_type: delivery.excType ?? 'DecodeError',
        exc_message: [delivery.reason],
        exc_module: 'kombu.exceptions',
      });
    }
    await this.deadLetter(delivery, delivery.reason, delivery);
  }

  /**
   * Moves a message to `celeriac.dead-letter` with the reason in its
   * headers, then acks it; if that publish fails, the message goes back to
   * its queue instead: nothing is dropped.
   */
  private async deadLetter(
    delivery: Pick<UndecodableDelivery, 'raw' | 'queue' | 'ack' | 'reject'>,
    reason: string,
    { taskId, task }: { taskId?: string; task?: string },
  ): Promise<void> {
    this.logger.warn({
      msg: 'dead-lettering a message that cannot run',
      reason,
      taskId,
      task,
      queue: delivery.queue,
    });
    try {
      await this.client.deadLetter({
        content: delivery.raw.content,
        properties: delivery.raw.properties,
        reason,
        queue: delivery.queue,
        ...(taskId === undefined ? {} : { taskId }),
        ...(task === undefined ? {} : { task }),
      });
      delivery.ack();
      if (taskId !== undefined) {
        this.events.send(
          'task-rejected',
          { id: taskId, name: task ?? 'unknown' },
          () => ({ requeue: false }),
        );
      }
    } catch (error) {
      this.logger.error({
        msg: 'could not dead-letter, requeueing',
        taskId,
        err: error,
      });
      await sleep(REQUEUE_DELAY_MS);
      delivery.reject(true);
    }
  }

  // A refused message is dead-lettered whether or not its result can be written.
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
}
