import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import type {
  TaskDelivery,
  TaskDispatcher,
  TaskInvoker,
  UndecodableDelivery,
} from '@celeriac/broker';
import { toExceptionInfo } from '@celeriac/results';
import {
  bindArguments,
  type TaskOptions,
  TaskRegistry,
  TASKS_MODULE_OPTIONS,
  type TasksModuleOptions,
} from '@celeriac/tasks';
import { TaskEvents } from '../events/task-events';
import { receivedFields, subjectOf } from '../events/task-event-fields';
import { DeadLetters, REQUEUE_DELAY_MS } from './dead-letters';
import { EtaHolds } from './eta-holds';
import { type BoundArguments, RequestAdmission } from './request-admission';
import { Revocations } from './revocations';
import { runPolicyOf } from './run-policy';
import { traceTaskRun } from './task-run-span';
import { TaskSettlement } from './task-settlement';
import { TaskTracer } from './task-tracer';
import { type TrackedRequest, WorkerRequests } from './worker-requests';

/**
 * Runs delivered tasks the way a Celery worker does (celery-protocol.md
 * §B.9), in three steps: admission (expired, ETA, limits, a slot, revoked),
 * the tracer (the task under its time limits, in the pool) and settlement
 * (result, next step, chord part, retry, ack). Messages that can never run
 * are dead-lettered with their result saying why. When an outcome cannot
 * be written, the message goes back to its queue to run again later.
 */
@Injectable()
export class TaskExecutor implements TaskDispatcher, OnApplicationShutdown {
  private readonly logger = new Logger(TaskExecutor.name);

  constructor(
    private readonly registry: TaskRegistry,
    private readonly requests: WorkerRequests,
    private readonly admission: RequestAdmission,
    private readonly tracer: TaskTracer,
    private readonly settlement: TaskSettlement,
    private readonly deadLetters: DeadLetters,
    private readonly holds: EtaHolds,
    private readonly revocations: Revocations,
    private readonly events: TaskEvents,
    @Inject(TASKS_MODULE_OPTIONS) private readonly options: TasksModuleOptions,
  ) {}

  onApplicationShutdown(): void {
    this.holds.stop();
    this.revocations.abortAll(new Error('worker shutting down'));
  }

  stopHolding(): void {
    this.holds.stop();
  }

  async dispatch(
    received: TaskDelivery,
    invoke: TaskInvoker | undefined,
  ): Promise<void> {
    if (!invoke) {
      await this.deadLetters.refuse(received, {
        exc_type: 'NotRegistered',
        exc_message: [received.message.headers.task],
        exc_module: 'celery.exceptions',
      });
      return;
    }
    const request = this.requests.receive(received);
    try {
      await this.handle(request.delivery, invoke, request);
    } finally {
      request.forget();
    }
  }

  rejectUndecodable(delivery: UndecodableDelivery): Promise<void> {
    return this.deadLetters.rejectUndecodable(delivery);
  }

  private async handle(
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
    let bound: BoundArguments;
    try {
      bound = this.registry.has(task)
        ? bindArguments(task, definition.params, message.args, message.kwargs)
        : { args: message.args, kwargs: message.kwargs };
    } catch (error) {
      await this.deadLetters.refuse(delivery, toExceptionInfo(error));
      return;
    }
    try {
      const admitting = this.admission.admit(
        delivery,
        request,
        definition,
        bound,
      );
      const admission =
        admitting instanceof Promise ? await admitting : admitting;
      if (admission.verdict === 'settled') {
        return;
      }
      try {
        if (admission.verdict === 'run') {
          this.requests.start(request);
          await traceTaskRun(delivery, request.receivedAt, () =>
            this.run(delivery, definition, bound, invoke, () =>
              admission.release(),
            ),
          );
        } else {
          await this.settlement.revokeUnrun(delivery, admission.verdict);
        }
      } finally {
        admission.release();
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

  private async run(
    delivery: TaskDelivery,
    definition: TaskOptions,
    bound: BoundArguments,
    invoke: TaskInvoker,
    freeSlot: () => void,
  ): Promise<void> {
    const policy = runPolicyOf(
      definition,
      delivery.message,
      this.options.trackStarted,
    );
    if (!policy.acksLate) {
      delivery.ack();
    }
    const traced = await this.tracer.trace(
      delivery,
      definition,
      bound,
      invoke,
      policy,
      freeSlot,
    );
    await this.settlement.settle(delivery, definition, policy, traced);
  }
}
