import {
  Inject,
  Injectable,
  Logger,
  OnApplicationShutdown,
  Optional,
} from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  CeleryClient,
  type TaskDelivery,
  type TaskDispatcher,
  type TaskInvoker,
  type TaskMessage,
  type UndecodableDelivery,
  exceptionRepr,
  saferepr,
} from '@celeriac/broker';
import {
  type ExceptionInfo,
  ResultRepository,
  type StoreResultExtra,
  TaskState,
  toExceptionInfo,
} from '@celeriac/results';
import { logLevelEnabled } from '@celeriac/config';
import { DelayedTaskScheduler } from '@celeriac/schedule';
import {
  bindArguments,
  type CanvasContext,
  ChordCompletion,
  continueWorkflow,
  MaxRetriesExceededError,
  PlanPublisher,
  planErrbacks,
  RetryRequest,
  TaskAdmission,
  type TaskCall,
  type TaskOptions,
  TaskRegistry,
  TASKS_MODULE_OPTIONS,
  type TasksModuleOptions,
} from '@celeriac/tasks';
import { ConcurrencyLimit } from './concurrency-limit';
import { DEFAULT_MAX_RETRIES, retryCountdown } from './retry-policy';
import { type TaskEventSubject, TaskEvents } from '../events/task-events';
import { type TrackedRequest, WorkerRequests } from './worker-requests';
import { WorkerLostError } from '../pool/pool-errors';
import { TASK_RUNNER, type TaskRunner } from '../pool/task-runner';
import { recordTaskOutcome, traceTaskRun } from './task-run-span';
import { type ProgressSink, RunningTaskRequest } from './running-task-request';
import {
  type RunHandle,
  type RunSignal,
  runWithTimeLimits,
  type TaskOutcome,
} from './time-limits';

/** Progress of a task whose result is not stored (ignore_result). */
const DISCARDED_PROGRESS: ProgressSink = {
  storeProgress: () => Promise.resolve(),
};

/** Pause before a requeue, so a Redis or broker outage is not a hot loop. */
const REQUEUE_DELAY_MS = 1000;

/**
 * Runs delivered tasks the way a Celery worker does (celery-protocol.md
 * §B.9): expired → REVOKED; ETA → held until due; then STARTED (when
 * track_started is on), the task under its soft and hard time limits, and
 * SUCCESS (after the next chain step), RETRY (republished with the same id) or FAILURE with Celery's
 * exception dict; chord parts are recorded; the ack comes last (acks late),
 * so a worker that dies mid-task leaves the message to be redelivered.
 * Messages that can never run are rejected with the reason logged and, when
 * they have an id, stored as their result.
 */
@Injectable()
export class TaskExecutor
  implements TaskDispatcher, CanvasContext, OnApplicationShutdown
{
  private readonly logger = new Logger(TaskExecutor.name);
  private readonly shutdown = new AbortController();
  // Aborted when shutdown begins: ETA waits end and their messages go back.
  private readonly holds = new AbortController();
  private readonly slots: ConcurrencyLimit;
  /** Ids revoked while this worker runs, plus those loaded at start. */
  private readonly revoked = new Set<string>();
  /** Running tasks: `revoke(..., terminate)` ends one, shutdown aborts all. */
  private readonly running = new Map<string, RunHandle>();
  /** What the remote control reports: tasks by stage, totals by name. */
  readonly requests: WorkerRequests;

  constructor(
    private readonly results: ResultRepository,
    private readonly client: CeleryClient,
    private readonly registry: TaskRegistry,
    private readonly chords: ChordCompletion,
    private readonly publisher: PlanPublisher,
    @Inject(TASKS_MODULE_OPTIONS) private readonly options: TasksModuleOptions,
    private readonly events: TaskEvents,
    private readonly admission: TaskAdmission,
    @Optional() private readonly delayed?: DelayedTaskScheduler,
    // WORKER_POOL processes / threads: handlers run in its children.
    @Optional()
    @Inject(TASK_RUNNER)
    private readonly runner?: TaskRunner | null,
  ) {
    this.slots = new ConcurrencyLimit(options.concurrency);
    this.requests = new WorkerRequests(options.hostname);
  }

  /** Ids refused here (Celery's `revoked` inspect reply). */
  revokedIds(): string[] {
    return [...this.revoked];
  }

  onApplicationShutdown(): void {
    this.stopHolding();
    const reason = new Error('worker shutting down');
    this.shutdown.abort(reason);
    for (const run of this.running.values()) {
      run.abort(reason);
    }
  }

  /** Ids revoked before this worker started (from the shared store). */
  rememberRevoked(ids: Iterable<string>): void {
    for (const id of ids) {
      this.revoked.add(id);
    }
  }

  /**
   * Celery's `revoke`: these ids will not run here; with `terminate`, the
   * ones running now are stopped (signal aborted, slot freed, REVOKED).
   * @returns the ids that were running and got terminated
   */
  revoke(ids: readonly string[], terminate: boolean): string[] {
    const terminated: string[] = [];
    for (const id of ids) {
      this.revoked.add(id);
      const run = this.running.get(id);
      if (terminate && run) {
        run.terminate(new Error('terminated'));
        terminated.push(id);
      }
    }
    return terminated;
  }

  stopHolding(): void {
    this.holds.abort(new Error('worker shutting down'));
  }

  queueFor(task: string): string {
    return this.registry.get(task)?.queue ?? this.options.defaultQueue;
  }

  newId(): string {
    return randomUUID();
  }

  async dispatch(
    received: TaskDelivery,
    invoke: TaskInvoker | undefined,
  ): Promise<void> {
    const { message } = received;
    const { task } = message.headers;
    if (!invoke) {
      await this.refuse(received, {
        exc_type: 'NotRegistered',
        exc_message: [task],
        exc_module: 'celery.exceptions',
      });
      return;
    }
    const request = this.requests.receive(received);
    try {
      await this.run(request.delivery, invoke, request);
    } finally {
      request.forget();
    }
  }

  private async run(
    delivery: TaskDelivery,
    invoke: TaskInvoker,
    request: TrackedRequest,
  ): Promise<void> {
    const { message } = delivery;
    const { task } = message.headers;
    this.events.send('task-received', subjectOf(message), () =>
      receivedFields(message),
    );
    const definition = this.registry.get(task) ?? { name: task, params: [] };
    let bound: { args: unknown[]; kwargs: Record<string, unknown> };
    try {
      bound = this.registry.has(task)
        ? bindArguments(task, definition.params, message.args, message.kwargs)
        : { args: message.args, kwargs: message.kwargs };
    } catch (error) {
      await this.refuse(delivery, toExceptionInfo(error));
      return;
    }
    try {
      if (isPast(message.headers.expires)) {
        await this.revokeUnrun(delivery, 'expired');
        return;
      }
      // Most tasks have no ETA: they skip both awaits.
      if (message.headers.eta !== null) {
        if (await this.handOffDelayed(delivery)) {
          return;
        }
        if (!(await this.waitForEta(delivery))) {
          delivery.reject(true);
          return;
        }
        request.reserve();
      }
      // Rate limit and concurrency key (libs/tasks/src/limits): waits
      // without a slot; a task without limits passes synchronously.
      const admitting = this.admission.admit(
        delivery,
        definition,
        bound,
        this.holds.signal,
      );
      const admitted =
        admitting instanceof Promise ? await admitting : admitting;
      if (!admitted) {
        delivery.reject(true);
        return;
      }
      const release = this.slots.tryAcquire() ?? (await this.slots.acquire());
      if (this.holds.signal.aborted) {
        // Shutdown began while it waited for a slot: it has not started.
        release();
        admitted.release();
        delivery.reject(true);
        return;
      }
      try {
        if (this.revoked.has(message.headers.id)) {
          await this.revokeUnrun(delivery, 'revoked');
        } else {
          this.requests.start(request);
          await traceTaskRun(delivery, request.receivedAt, () =>
            this.execute(delivery, definition, bound, invoke),
          );
        }
      } finally {
        release();
        admitted.release();
      }
    } catch (error) {
      // The outcome could not be written: leave the task to run again later.
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
    if (delivery.taskId !== undefined) {
      await this.storeQuietly(delivery.taskId, TaskState.Failure, {
        exc_type: delivery.excType ?? 'DecodeError',
        exc_message: [delivery.reason],
        exc_module: 'kombu.exceptions',
      });
    }
    await this.deadLetter(delivery, delivery.reason, delivery);
  }

  private async execute(
    delivery: TaskDelivery,
    definition: TaskOptions,
    bound: { args: unknown[]; kwargs: Record<string, unknown> },
    invoke: TaskInvoker,
  ): Promise<void> {
    const { message } = delivery;
    const { headers } = message;
    const acksLate = definition.acksLate ?? true;
    const store = !headers.ignore_result && !definition.ignoreResult;
    const trackStarted =
      store && (definition.trackStarted ?? this.options.trackStarted ?? true);
    if (!acksLate) {
      delivery.ack();
    }
    // STARTED (Celery's track_started) is written while the task runs: one
    // Redis connection keeps it ahead of every later write of this task, and
    // it is awaited before the outcome is stored, so a failed write still
    // requeues the task.
    const started = trackStarted
      ? this.results.storeResult(
          headers.id,
          TaskState.Started,
          { pid: process.pid, hostname: this.options.hostname },
          this.extraOf(message),
        )
      : undefined;
    started?.catch(() => undefined);
    this.events.send('task-started', subjectOf(message));
    this.events.taskStarted();
    const startedAt = performance.now();
    if (logLevelEnabled('debug')) {
      this.logger.debug({
        msg: 'task started',
        taskId: headers.id,
        task: headers.task,
      });
    }

    const [hard, soft] = headers.timelimit;
    let outcome: TaskOutcome;
    try {
      outcome = await runWithTimeLimits(
        (signal) => {
          const call = this.callFor(delivery, bound, signal, store);
          return this.runner
            ? this.runner.run(call, message, delivery.queue, signal)
            : invoke(call);
        },
        {
          soft: soft ?? definition.softTimeLimit ?? this.options.softTimeLimit,
          hard: hard ?? definition.timeLimit ?? this.options.timeLimit,
        },
        (run) => {
          this.running.set(headers.id, run);
          if (this.shutdown.signal.aborted) {
            run.abort(this.shutdown.signal.reason);
          }
        },
      );
    } finally {
      this.running.delete(headers.id);
      this.events.taskFinished();
    }
    if (outcome.kind === 'timeout' || outcome.kind === 'terminated') {
      this.runner?.abandon(headers.id);
    }
    if (started) {
      await started;
    }
    // Celery's task_reject_on_worker_lost with acks late: the message goes
    // back to its queue; acked early, the task fails with WorkerLostError.
    if (
      acksLate &&
      outcome.kind === 'failure' &&
      outcome.error instanceof WorkerLostError
    ) {
      delivery.reject(true);
      return;
    }
    const runtime = (performance.now() - startedAt) / 1000;
    if (outcome.kind === 'terminated') {
      await this.storeRevoked(message, 'terminated');
    } else {
      await this.settle(delivery, definition, outcome, store, runtime);
    }
    if (acksLate) {
      // With RESULT_BACKEND_WAIT_REPLICAS: a replica holds the result first.
      await this.results.confirmReplicated();
      delivery.ack();
    }
  }

  private async settle(
    delivery: TaskDelivery,
    definition: TaskOptions,
    outcome: Exclude<TaskOutcome, { kind: 'terminated' }>,
    store: boolean,
    runtime: number,
  ): Promise<void> {
    const { message } = delivery;
    const { headers } = message;
    if (outcome.kind === 'success') {
      await this.succeed(message, outcome.value, store);
      this.events.send('task-succeeded', subjectOf(message), () => ({
        result: saferepr(outcome.value),
        runtime,
      }));
      return;
    }
    const retry = this.retryDecision(definition, message, outcome);
    if (retry) {
      await this.retry(delivery, retry.countdown, retry.cause, store);
      return;
    }
    const error =
      outcome.kind === 'failure' && outcome.error instanceof RetryRequest
        ? (outcome.error.cause ??
          new MaxRetriesExceededError(
            headers.task,
            headers.id,
            headers.retries,
          ))
        : outcome.error;
    await this.fail(message, error, store);
  }

  /** Whether this outcome retries, and after how long (Celery's `Task.retry`). */
  private retryDecision(
    definition: TaskOptions,
    message: TaskMessage,
    outcome: Exclude<TaskOutcome, { kind: 'terminated' }>,
  ): { countdown: number; cause: unknown } | null {
    if (outcome.kind !== 'failure') {
      return null;
    }
    const { error } = outcome;
    const requested = error instanceof RetryRequest;
    const automatic =
      !requested &&
      (definition.autoretryFor ?? []).includes(errorName(error) ?? '');
    const perMessage = message.headers.max_retries;
    const maxRetries =
      typeof perMessage === 'number'
        ? perMessage
        : (definition.maxRetries ?? DEFAULT_MAX_RETRIES);
    if ((!requested && !automatic) || message.headers.retries >= maxRetries) {
      return null;
    }
    return {
      countdown: retryCountdown(
        definition,
        message.headers.retries,
        requested ? error.countdown : undefined,
      ),
      cause: requested ? error.cause : error,
    };
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
    const next = continueWorkflow(message, value, this);
    if (next) {
      await this.publisher.publish(next);
    }
    if (store) {
      const extra = this.extraOf(message);
      if (next) {
        extra.children = next.messages.map(({ message: child }) => [
          [child.headers.id, null],
          null,
        ]);
      }
      await this.results.storeResult(
        headers.id,
        TaskState.Success,
        value,
        extra,
      );
    }
    await this.chords.partReturned(message, TaskState.Success, value, this);
    if (logLevelEnabled('info')) {
      this.logger.log({
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
    await this.client.publishTask(
      {
        ...message,
        headers: {
          ...headers,
          retries: headers.retries + 1,
          eta: eta.toISOString().replace(/Z$/, '+00:00'),
        },
      },
      delivery.queue,
    );
    if (store) {
      await this.results.storeResult(
        headers.id,
        TaskState.Retry,
        toExceptionInfo(cause ?? new Error('retry')),
        { ...this.extraOf(message), traceback: stackOf(cause) },
      );
    }
    this.events.send('task-retried', subjectOf(message), () => ({
      exception: exceptionRepr(toExceptionInfo(cause ?? new Error('retry'))),
      traceback: stackOf(cause) ?? '',
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
        ...this.extraOf(message),
        traceback,
      });
    }
    await this.chords.partReturned(message, TaskState.Failure, exception, this);
    const errbacks = planErrbacks(
      message.embed.errbacks,
      headers.id,
      message,
      this,
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

  /** Revoked or expired before it ran: REVOKED, acked, never run. */
  private async revokeUnrun(
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
        this.extraOf(message),
      );
    }
    await this.chords.partReturned(message, TaskState.Revoked, revoked, this);
  }

  /**
   * An ETA beyond BEAT_DELAY_THRESHOLD waits in BullMQ (beat publishes the
   * same message when due) instead of unacked here; acked once stored. If it
   * cannot be stored, false: the task is held as Celery holds it.
   */
  private async handOffDelayed(delivery: TaskDelivery): Promise<boolean> {
    const { message } = delivery;
    const delay = this.delayed?.delayOf(message) ?? null;
    if (delay === null || !this.delayed) {
      return false;
    }
    try {
      await this.delayed.schedule(message, delivery.queue, delay);
    } catch (error) {
      this.logger.warn({
        msg: 'could not hand the ETA task to beat, holding it',
        taskId: message.headers.id,
        err: error,
      });
      return false;
    }
    delivery.ack();
    this.logger.log({
      msg: 'ETA task handed to beat',
      taskId: message.headers.id,
      task: message.headers.task,
      eta: message.headers.eta,
    });
    return true;
  }

  /**
   * Holds an ETA task in memory, unacked, as Celery does, with the prefetch
   * raised meanwhile so it does not block other tasks. False when shutdown
   * began first: the message is then given back to its queue.
   */
  private async waitForEta(delivery: TaskDelivery): Promise<boolean> {
    const due = parseTime(delivery.message.headers.eta);
    const wait = due === null ? 0 : due - Date.now();
    if (wait <= 0) {
      return !this.holds.signal.aborted;
    }
    const release = delivery.holdPrefetch();
    try {
      await sleep(wait, undefined, { signal: this.holds.signal });
      return true;
    } catch {
      return false;
    } finally {
      release();
    }
  }

  private callFor(
    delivery: TaskDelivery,
    bound: { args: unknown[]; kwargs: Record<string, unknown> },
    run: RunSignal,
    store: boolean,
  ): TaskCall {
    return {
      args: bound.args,
      kwargs: bound.kwargs,
      request: new RunningTaskRequest(
        delivery.message,
        delivery.queue,
        this.options.hostname,
        run,
        store ? this : DISCARDED_PROGRESS,
      ),
    };
  }

  /** A running task's `request.progress(meta)`: PROGRESS with `meta`. */
  async storeProgress(
    message: TaskMessage,
    meta: Record<string, unknown>,
  ): Promise<void> {
    await this.results.storeResult(
      message.headers.id,
      TaskState.Progress,
      meta,
      this.extraOf(message),
    );
  }

  /** A message that can never run: its result says why, and it is dead-lettered. */
  private async refuse(
    delivery: TaskDelivery,
    exception: ExceptionInfo,
  ): Promise<void> {
    const { message } = delivery;
    const { headers } = message;
    await this.storeQuietly(
      headers.id,
      TaskState.Failure,
      exception,
      this.extraOf(message),
    );
    try {
      // A chord must not wait forever for a part that can never run.
      await this.chords.partReturned(
        message,
        TaskState.Failure,
        exception,
        this,
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

  /** Group and parent, and Celery's `result_extended` fields. */
  private extraOf(message: TaskMessage): StoreResultExtra {
    const { headers } = message;
    const extra: StoreResultExtra = {
      name: headers.task,
      args: message.args,
      kwargs: message.kwargs,
      worker: this.options.hostname,
      retries: headers.retries,
    };
    if (headers.group) {
      extra.groupId = headers.group;
    }
    if (headers.parent_id) {
      extra.parentId = headers.parent_id;
    }
    return extra;
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

/** `TypeError: add_task() takes 2 positional arguments but 3 were given` */
function describeException(exception: ExceptionInfo): string {
  const message = exception.exc_message
    .map((part) => (typeof part === 'string' ? part : JSON.stringify(part)))
    .join(', ');
  return `${exception.exc_type}: ${message}`;
}

function subjectOf({ headers }: TaskMessage): TaskEventSubject {
  return { id: headers.id, name: headers.task };
}

/** Celery's `task-received` fields (§D.3), besides `uuid`. */
function receivedFields(message: TaskMessage): Record<string, unknown> {
  const { headers } = message;
  return {
    name: headers.task,
    args: headers.argsrepr ?? saferepr(message.args, null, true),
    kwargs: headers.kwargsrepr ?? saferepr(message.kwargs),
    root_id: headers.root_id ?? null,
    parent_id: headers.parent_id ?? null,
    retries: headers.retries,
    eta: headers.eta ?? null,
    expires: headers.expires ?? null,
  };
}

function stackOf(error: unknown): string | null {
  const stack = (error as { stack?: unknown } | null)?.stack;
  return typeof stack === 'string' ? stack : null;
}

function errorName(error: unknown): string | undefined {
  const name = (error as { name?: unknown } | null)?.name;
  return typeof name === 'string' ? name : undefined;
}

function parseTime(iso: string | null): number | null {
  if (iso === null) {
    return null;
  }
  const time = Date.parse(iso);
  return Number.isNaN(time) ? null : time;
}

function isPast(iso: string | null): boolean {
  const time = parseTime(iso);
  return time !== null && time <= Date.now();
}
