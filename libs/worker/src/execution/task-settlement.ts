import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  exceptionRepr,
  saferepr,
  type TaskDelivery,
  type TaskMessage,
} from '@celeriac/broker';
import { ContextLogLines, logLevelEnabled } from '@celeriac/config';
import {
  type ExceptionInfo,
  ResultRepository,
  TaskState,
  toExceptionInfo,
} from '@celeriac/results';
import {
  ChordCompletion,
  continueWorkflow,
  PlanPublisher,
  planErrbacks,
  type TaskOptions,
  TaskRouter,
  TASKS_MODULE_OPTIONS,
  type TasksModuleOptions,
} from '@celeriac/tasks';
import { TaskEvents } from '../events/task-events';
import { subjectOf } from '../events/task-event-fields';
import { WorkerLostError } from '../pool/pool-errors';
import { describeException, stackOf } from './error-text';
import { failureOf, retryDecision } from './retry-policy';
import { resultExtraOf, type RunPolicy } from './run-policy';
import { recordTaskOutcome } from './task-run-span';
import type { Traced } from './task-tracer';

/**
 * What happens after a run (Celery's `Request.on_success` / `on_failure`
 * and the tracer's result handling): SUCCESS after the next chain step is
 * published, RETRY (the same id republished, due after its countdown) or
 * FAILURE with Celery's exception dict, errbacks and the rest of the chain
 * failed; the chord part recorded; the ack last (acks late), so a worker
 * that dies mid-task leaves the message to be redelivered. Every message
 * it sends (next steps, chord bodies, errbacks, retries) goes through
 * `PlanPublisher`.
 */
@Injectable()
export class TaskSettlement {
  private readonly logger = new Logger(TaskSettlement.name);
  // One per task at INFO, as Celery's "Task ... succeeded": the cheap way.
  private readonly succeededLines = new ContextLogLines(TaskSettlement.name);

  constructor(
    private readonly results: ResultRepository,
    private readonly publisher: PlanPublisher,
    private readonly chords: ChordCompletion,
    private readonly router: TaskRouter,
    private readonly events: TaskEvents,
    @Inject(TASKS_MODULE_OPTIONS) private readonly options: TasksModuleOptions,
  ) {}

  async settle(
    delivery: TaskDelivery,
    definition: TaskOptions,
    policy: RunPolicy,
    { outcome, runtime, started }: Traced,
  ): Promise<void> {
    const { message } = delivery;
    // Celery's task_reject_on_worker_lost with acks late: the message goes
    // back to its queue; acked early, the task fails with WorkerLostError.
    if (
      policy.acksLate &&
      outcome.kind === 'failure' &&
      outcome.error instanceof WorkerLostError
    ) {
      delivery.reject(true);
      return;
    }
    if (outcome.kind === 'terminated') {
      await this.storeRevoked(message, 'terminated');
    } else if (outcome.kind === 'success') {
      const { value } = outcome;
      await this.succeed(message, value, policy.store);
      this.events.send('task-succeeded', subjectOf(message), () => ({
        result: saferepr(value),
        runtime,
      }));
    } else {
      const retry = retryDecision(definition, message, outcome);
      if (retry) {
        await this.retry(delivery, retry.countdown, retry.cause, policy.store);
      } else {
        await this.fail(message, failureOf(message, outcome), policy.store);
      }
    }
    // The outcome was written after STARTED on the same connection; a failed
    // STARTED still throws here, before the ack, so the task is requeued.
    if (started) {
      await started;
    }
    if (policy.acksLate) {
      // With RESULT_BACKEND_WAIT_REPLICAS: a replica holds the result first.
      await this.results.confirmReplicated();
      delivery.ack();
    }
  }

  /** Revoked or expired before it ran: REVOKED, acked, never run. */
  async revokeUnrun(
    delivery: TaskDelivery,
    why: 'revoked' | 'expired',
  ): Promise<void> {
    const { message } = delivery;
    this.logger.log({
      msg: `task ${why} before it ran`,
      taskId: message.headers.id,
      task: message.headers.task,
    });
    await this.storeRevoked(message, why);
    delivery.ack();
  }

  private async succeed(
    message: TaskMessage,
    value: unknown,
    store: boolean,
  ): Promise<void> {
    const { headers } = message;
    recordTaskOutcome(TaskState.Success);
    // Celery publishes the next step before storing the result, so the
    // result's children are known when a reader sees SUCCESS.
    const next = continueWorkflow(message, value, this.router);
    if (next) {
      await this.publisher.publish(next);
    }
    let stored: Promise<boolean> | undefined;
    if (store) {
      const extra = resultExtraOf(message, this.options.hostname);
      if (next) {
        extra.children = next.messages.map(({ message: child }) => [
          [child.headers.id, null],
          null,
        ]);
      }
      stored = this.results.storeResult(
        headers.id,
        TaskState.Success,
        value,
        extra,
      );
      stored.catch(() => undefined);
    }
    // The chord part goes out right behind the result, on the same
    // connection (one round trip for both, still in that order).
    await this.chords.partReturned(
      message,
      TaskState.Success,
      value,
      this.router,
    );
    await stored;
    if (logLevelEnabled('info')) {
      this.succeededLines.info({
        msg: 'task succeeded',
        taskId: headers.id,
        task: headers.task,
      });
    }
  }

  /** Republishes the same task id with one more retry, due after `countdown`. */
  private async retry(
    delivery: TaskDelivery,
    countdown: number,
    cause: unknown,
    store: boolean,
  ): Promise<void> {
    const { message } = delivery;
    const { headers } = message;
    recordTaskOutcome(TaskState.Retry, cause);
    const eta = new Date(Date.now() + countdown * 1000);
    const retried: TaskMessage = {
      ...message,
      headers: {
        ...headers,
        retries: headers.retries + 1,
        eta: eta.toISOString().replace(/Z$/, '+00:00'),
      },
    };
    // Through the one publisher, so a countdown beyond BEAT_DELAY_THRESHOLD
    // waits in beat as every other countdown does. The id is not new:
    // nothing is marked PENDING.
    await this.publisher.publish({
      taskId: headers.id,
      taskIds: [],
      messages: [{ message: retried, queue: delivery.queue }],
      groups: [],
      chords: [],
    });
    const exception = toExceptionInfo(cause ?? new Error('retry'));
    const traceback = stackOf(cause);
    if (store) {
      await this.results.storeResult(headers.id, TaskState.Retry, exception, {
        ...resultExtraOf(message, this.options.hostname),
        traceback,
      });
    }
    this.events.send('task-retried', subjectOf(message), () => ({
      exception: exceptionRepr(exception),
      traceback: traceback ?? '',
    }));
    this.logger.log({
      msg: 'task retry scheduled',
      taskId: headers.id,
      task: headers.task,
      retries: headers.retries + 1,
      countdown,
    });
  }

  private async fail(
    message: TaskMessage,
    error: unknown,
    store: boolean,
  ): Promise<void> {
    const { headers } = message;
    recordTaskOutcome(TaskState.Failure, error);
    const exception = toExceptionInfo(error);
    const traceback = stackOf(error);
    this.events.send('task-failed', subjectOf(message), () => ({
      exception: exceptionRepr(exception),
      traceback: traceback ?? '',
    }));
    this.logger.warn({
      msg: 'task failed',
      taskId: headers.id,
      task: headers.task,
      error: describeException(exception),
    });
    if (store) {
      await this.results.storeResult(headers.id, TaskState.Failure, exception, {
        ...resultExtraOf(message, this.options.hostname),
        traceback,
      });
    }
    await this.chords.partReturned(
      message,
      TaskState.Failure,
      exception,
      this.router,
    );
    const errbacks = planErrbacks(
      message.embed.errbacks,
      headers.id,
      message,
      this.router,
    );
    if (errbacks) {
      await this.publisher.publish(errbacks);
    }
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

  private async storeRevoked(
    message: TaskMessage,
    why: 'revoked' | 'expired' | 'terminated',
  ): Promise<void> {
    recordTaskOutcome(TaskState.Revoked);
    this.events.send('task-revoked', subjectOf(message), () => ({
      terminated: why === 'terminated',
      signum: null,
      expired: why === 'expired',
    }));
    const revoked: ExceptionInfo = {
      exc_type: 'TaskRevokedError',
      exc_message: [why],
      exc_module: 'celery.exceptions',
    };
    if (!message.headers.ignore_result) {
      await this.results.storeResult(
        message.headers.id,
        TaskState.Revoked,
        revoked,
        resultExtraOf(message, this.options.hostname),
      );
    }
    await this.chords.partReturned(
      message,
      TaskState.Revoked,
      revoked,
      this.router,
    );
  }
}
