import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import {
  brokerInfo,
  LamportClock,
  type TaskQueue,
  taskQueueFromControl,
} from '@celeriac/broker';
import { CeleriacConfig } from '@celeriac/config';
import { RevokedRepository } from '@celeriac/results';
import {
  setRateLimit,
  TaskAdmission,
  TaskRegistry,
  TASKS_MODULE_OPTIONS,
  type TasksModuleOptions,
} from '@celeriac/tasks';
import {
  buildWorkerConf,
  buildWorkerStats,
  registeredTasks,
} from './control-replies';
import { ALIASES, optionalSeconds, stringList } from './control-arguments';
import { TaskEvents } from '../events/task-events';
import { WorkerHeartbeats } from '../events/worker-heartbeats';
import { Revocations } from '../execution/revocations';
import {
  type TrackedRequest,
  WorkerRequests,
} from '../execution/worker-requests';
import { TASK_RUNNER, type TaskRunner } from '../pool/task-runner';

/**
 * What the remote control needs from the consuming transport
 * (`CeleryServer` is one): its queues and prefetch, and adding or
 * cancelling a queue at runtime.
 */
export interface ControlledConsumer {
  activeQueues(): Record<string, unknown>[];
  prefetchCount(): number;
  readonly heartbeatSeconds: number;
  addQueue(queue: TaskQueue): Promise<boolean>;
  cancelQueue(name: string): Promise<boolean>;
}

/**
 * The worker's answers to Celery's remote control (pidbox, §D.7), with
 * Celery 5.2.6's argument names and reply shapes. Commands it does not
 * know get no reply, as Flower expects.
 */
@Injectable()
export class WorkerControl {
  private readonly logger = new Logger(WorkerControl.name);
  private readonly startedAt = Date.now();
  private consumer?: ControlledConsumer;
  private shutdownHandler?: (reason: string) => void;

  constructor(
    private readonly revocations: Revocations,
    private readonly requests: WorkerRequests,
    private readonly revoked: RevokedRepository,
    private readonly events: TaskEvents,
    private readonly heartbeats: WorkerHeartbeats,
    private readonly clock: LamportClock,
    private readonly registry: TaskRegistry,
    private readonly config: CeleriacConfig,
    @Inject(TASKS_MODULE_OPTIONS) private readonly options: TasksModuleOptions,
    private readonly admission: TaskAdmission,
    @Optional()
    @Inject(TASK_RUNNER)
    private readonly runner?: TaskRunner | null,
  ) {}

  /** The transport whose queues `add_consumer` and `active_queues` act on. */
  attachConsumer(consumer: ControlledConsumer): void {
    this.consumer = consumer;
  }

  /**
   * What `shutdown` does: the process's warm shutdown (main.ts hands in
   * the SIGTERM path). Without one, `shutdown` is refused.
   */
  onShutdownRequest(handler: (reason: string) => void): void {
    this.shutdownHandler = handler;
  }

  /** A `ControlHandler` for `CeleryServer`'s `control` option. */
  readonly handle = async (
    method: string,
    args: Record<string, unknown>,
  ): Promise<unknown> => {
    switch (ALIASES[method] ?? method) {
      case 'ping':
        return { ok: 'pong' };
      case 'revoke':
        return this.revoke(args);
      case 'enable_events':
        this.events.setTaskEvents(true);
        return { ok: 'task events enabled' };
      case 'disable_events':
        this.events.setTaskEvents(false);
        return { ok: 'task events disabled' };
      case 'heartbeat':
        this.heartbeats.beat();
        return undefined;
      case 'clock':
        return { clock: this.clock.value };
      case 'stats':
        return this.stats();
      case 'active':
        return this.requestsIn('active', args.safe === true);
      case 'reserved':
        return this.requestsIn('reserved', args.safe === true);
      case 'scheduled':
        return this.requests
          .inStage('scheduled')
          .map((request) => request.scheduledInfo());
      case 'revoked':
        return this.revocations.revokedIds();
      case 'registered':
        return registeredTasks(
          this.registry.list(),
          stringList(args.taskinfoitems),
        );
      case 'query_task':
        return this.queryTask(args);
      case 'conf':
        return this.conf(args.with_defaults === true);
      case 'active_queues':
        return this.consumer?.activeQueues() ?? [];
      case 'add_consumer':
        return this.addConsumer(args);
      case 'cancel_consumer':
        return this.cancelConsumer(args);
      case 'time_limit':
        return this.timeLimit(args);
      case 'rate_limit':
        return setRateLimit(this.registry, args, this.logger);
      case 'shutdown':
        return this.shutdown(args);
      default:
        return undefined;
    }
  };

  // Celery: revoke(task_id: str | [str], terminate=False, signal='SIGTERM').
  private async revoke(args: Record<string, unknown>): Promise<unknown> {
    const raw = args.task_id;
    const ids = (Array.isArray(raw) ? raw : [raw]).filter(
      (id): id is string => typeof id === 'string' && id !== '',
    );
    if (ids.length === 0) {
      return { error: 'revoke needs task_id' };
    }
    await this.revoked.revoke(ids);
    const terminated = this.revocations.revoke(ids, args.terminate === true);
    this.logger.log({ msg: 'tasks revoked', taskIds: ids, terminated });
    return { ok: `tasks ${ids.join(', ')} flagged as revoked` };
  }

  private stats(): Record<string, unknown> {
    const { worker, broker } = this.config;
    return buildWorkerStats({
      total: this.requests.totalCount(),
      pid: process.pid,
      clock: this.clock.value,
      uptimeSeconds: (Date.now() - this.startedAt) / 1000,
      concurrency: worker.concurrency,
      timeouts: [this.options.softTimeLimit, this.options.timeLimit],
      prefetchCount: this.consumer?.prefetchCount() ?? worker.concurrency,
      broker: brokerInfo(broker.url, this.consumer?.heartbeatSeconds ?? 0),
      rusage: process.resourceUsage(),
      ...(this.runner ? { pool: this.runner.info() } : {}),
      limits: this.admission.stats.report(this.admission.scope),
    });
  }

  private requestsIn(
    stage: TrackedRequest['stage'],
    safe: boolean,
  ): Record<string, unknown>[] {
    return this.requests
      .inStage(stage)
      .map((request) => ({ ...request.info(safe) }));
  }

  // Celery: query_task(ids) -> {id: [state, Request.info()]}, for the ids
  // this worker holds; 'active' or 'reserved' (an ETA wait is reserved too).
  private queryTask(args: Record<string, unknown>): Record<string, unknown> {
    const ids = stringList(args.ids ?? args.id) ?? [];
    return Object.fromEntries(
      this.requests
        .find(ids)
        .map((request) => [
          request.id,
          [request.stage === 'active' ? 'active' : 'reserved', request.info()],
        ]),
    );
  }

  private conf(withDefaults: boolean): Record<string, unknown> {
    const { broker, results, worker, tasks } = this.config;
    return buildWorkerConf(
      {
        brokerUrl: broker.url,
        resultBackend: results.url,
        resultExpires: results.expiresSeconds,
        defaultQueue: tasks.defaultQueue,
        queues: worker.queues,
        concurrency: worker.concurrency,
        softTimeLimit: this.options.softTimeLimit,
        timeLimit: this.options.timeLimit,
        sendEvents: worker.sendEvents,
        trackStarted: this.options.trackStarted ?? true,
      },
      withDefaults,
    );
  }

  // Celery: add_consumer(queue, exchange=None, exchange_type=None,
  // routing_key=None, **options) -> ok('add consumer <queue>'), also when it
  // already consumes the queue.
  private async addConsumer(args: Record<string, unknown>): Promise<unknown> {
    const queue = taskQueueFromControl(args);
    if (typeof queue === 'string') {
      return { error: queue };
    }
    if (!this.consumer) {
      return { error: 'this worker does not consume' };
    }
    const added = await this.consumer.addQueue(queue);
    if (added) {
      this.logger.log({ msg: 'started consuming', queue: queue.name });
    }
    return { ok: `add consumer ${queue.name}` };
  }

  // Celery: cancel_consumer(queue) -> ok('no longer consuming from <queue>').
  private async cancelConsumer(
    args: Record<string, unknown>,
  ): Promise<unknown> {
    const { queue } = args;
    if (typeof queue !== 'string' || queue === '') {
      return { error: 'cancel_consumer needs queue, a queue name' };
    }
    if (!this.consumer) {
      return { error: 'this worker does not consume' };
    }
    if (await this.consumer.cancelQueue(queue)) {
      this.logger.log({ msg: 'stopped consuming', queue });
    }
    return { ok: `no longer consuming from ${queue}` };
  }

  // Celery: time_limit(task_name, soft=None, hard=None).
  private timeLimit(args: Record<string, unknown>): unknown {
    const name = args.task_name;
    const task = typeof name === 'string' ? this.registry.get(name) : undefined;
    if (!task) {
      this.logger.error({ msg: 'time_limit for an unknown task', task: name });
      return { error: 'unknown task' };
    }
    const soft = optionalSeconds(args.soft);
    const hard = optionalSeconds(args.hard);
    if (soft === undefined || hard === undefined) {
      return { error: 'soft and hard must be seconds (numbers >= 0)' };
    }
    task.softTimeLimit = soft ?? undefined;
    task.timeLimit = hard ?? undefined;
    this.logger.log({ msg: 'time limits set', task: task.name, soft, hard });
    return { ok: 'time limits set successfully' };
  }

  // Celery logs the message and raises WorkerShutdown: no reply is sent.
  private shutdown(args: Record<string, unknown>): undefined {
    const reason =
      typeof args.msg === 'string' ? args.msg : 'Got shutdown from remote';
    this.logger.warn({ msg: reason });
    if (this.shutdownHandler) {
      this.shutdownHandler(reason);
    } else {
      this.logger.warn({ msg: 'no shutdown path in this process: ignored' });
    }
    return undefined;
  }
}
