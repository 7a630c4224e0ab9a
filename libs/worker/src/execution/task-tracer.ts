import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import type { TaskDelivery, TaskInvoker, TaskMessage } from '@celeriac/broker';
import { logLevelEnabled } from '@celeriac/config';
import {
  ResultRepository,
  storeProgressBestEffort,
  TaskState,
} from '@celeriac/results';
import {
  type TaskCall,
  type TaskOptions,
  TASKS_MODULE_OPTIONS,
  type TasksModuleOptions,
} from '@celeriac/tasks';
import { TaskEvents } from '../events/task-events';
import { subjectOf } from '../events/task-event-fields';
import { TASK_RUNNER, type TaskRunner } from '../pool/task-runner';
import type { BoundArguments } from './request-admission';
import { Revocations } from './revocations';
import { resultExtraOf, type RunPolicy } from './run-policy';
import { type ProgressSink, RunningTaskRequest } from './running-task-request';
import {
  type RunSignal,
  runWithTimeLimits,
  type TaskOutcome,
} from './time-limits';

/** Progress of a task whose result is not stored (ignore_result). */
const DISCARDED_PROGRESS: ProgressSink = {
  storeProgress: () => Promise.resolve(),
};

/** How a run ended, and how long it took in seconds. */
export interface Traced {
  outcome: TaskOutcome;
  runtime: number;
  /** The STARTED write, if any, still in flight: settlement awaits it before the ack. */
  started?: Promise<unknown>;
}

/**
 * Celery's tracer (celery/app/trace.py): one admitted task, run under its
 * soft and hard time limits, on the event loop or in a pool child
 * (WORKER_POOL), with STARTED written meanwhile (track_started) and
 * `task-started` sent. It reports how the run ended; settlement does the rest.
 */
@Injectable()
export class TaskTracer implements ProgressSink {
  private readonly logger = new Logger(TaskTracer.name);

  constructor(
    private readonly results: ResultRepository,
    private readonly events: TaskEvents,
    private readonly revocations: Revocations,
    @Inject(TASKS_MODULE_OPTIONS) private readonly options: TasksModuleOptions,
    // WORKER_POOL processes / threads: handlers run in its children.
    @Optional()
    @Inject(TASK_RUNNER)
    private readonly runner?: TaskRunner | null,
  ) {}

  async trace(
    delivery: TaskDelivery,
    definition: TaskOptions,
    bound: BoundArguments,
    invoke: TaskInvoker,
    policy: RunPolicy,
    freeSlot: () => void = () => undefined,
  ): Promise<Traced> {
    const { message } = delivery;
    const { headers } = message;
    // STARTED (Celery's track_started) is written while the task runs: one
    // Redis connection keeps it ahead of every later write of this task.
    // Settlement awaits it only before the ack, so the next chain step is
    // not held for its reply, and a failed write still requeues the task.
    const started = policy.trackStarted
      ? this.results.storeResult(
          headers.id,
          TaskState.Started,
          { pid: process.pid, hostname: this.options.hostname },
          resultExtraOf(message, this.options.hostname),
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
          const call = this.callFor(delivery, bound, signal, policy.store);
          return this.runner
            ? this.runner.run(call, message, delivery.queue, signal)
            : invoke(call);
        },
        {
          soft: soft ?? definition.softTimeLimit ?? this.options.softTimeLimit,
          hard: hard ?? definition.timeLimit ?? this.options.timeLimit,
        },
        (run) => this.revocations.track(headers.id, run),
      );
    } finally {
      this.revocations.untrack(headers.id);
      this.events.taskFinished();
      // The body is done, so its slot is too: the next task runs while this
      // one's outcome is stored and acked (the prefetch bounds how many are
      // being settled, since the ack comes last).
      freeSlot();
    }
    if (outcome.kind === 'timeout' || outcome.kind === 'terminated') {
      this.runner?.abandon(headers.id);
    }
    return {
      outcome,
      runtime: (performance.now() - startedAt) / 1000,
      started,
    };
  }

  /** A running task's `request.progress(meta)`: PROGRESS with `meta`, dropped (logged) during a Redis outage. */
  async storeProgress(
    message: TaskMessage,
    meta: Record<string, unknown>,
  ): Promise<void> {
    await storeProgressBestEffort(
      this.results,
      message.headers.id,
      meta,
      resultExtraOf(message, this.options.hostname),
    );
  }

  private callFor(
    delivery: TaskDelivery,
    bound: BoundArguments,
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
}
