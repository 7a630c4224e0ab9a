import { Injectable, OnModuleInit } from '@nestjs/common';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { CeleryClient } from '@celeriac/broker';
import {
  type TaskEventSubject,
  TaskEvents,
  WorkerRequests,
} from '@celeriac/worker';

/** The final state each terminal task event stands for. */
const FINAL_STATES: Record<string, string> = {
  'task-succeeded': 'SUCCESS',
  'task-failed': 'FAILURE',
  'task-retried': 'RETRY',
  'task-revoked': 'REVOKED',
  'task-rejected': 'REJECTED',
};

/**
 * The worker's Prometheus metrics (README lists them): tasks by name and
 * final state, their runtimes, the tasks running now, and the worker's own
 * publishes (retries, chain steps, chord bodies) by outcome. Task metrics
 * come from the executor's task events, so they count whether or not
 * events are sent to the broker.
 */
@Injectable()
export class WorkerMetrics implements OnModuleInit {
  /** Tasks that have not ended yet, by id: when they started running. */
  private readonly started = new Map<string, number>();
  private readonly tasks: Counter<'task' | 'state'>;
  private readonly runtime: Histogram<'task' | 'state'>;
  private readonly publishes: Counter<'outcome'>;

  constructor(
    registry: Registry,
    private readonly events: TaskEvents,
    private readonly requests: WorkerRequests,
    private readonly client: CeleryClient,
  ) {
    const registers = [registry];
    this.tasks = new Counter({
      name: 'celeriac_worker_tasks_total',
      help: 'Tasks that ended on this worker, by task name and final state (SUCCESS, FAILURE, RETRY, REVOKED, REJECTED).',
      labelNames: ['task', 'state'],
      registers,
    });
    this.runtime = new Histogram({
      name: 'celeriac_worker_task_runtime_seconds',
      help: 'How long tasks ran, from start to their final state, by task name and state.',
      labelNames: ['task', 'state'],
      buckets: [0.005, 0.01, 0.05, 0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 1200],
      registers,
    });
    new Gauge({
      name: 'celeriac_worker_tasks_in_flight',
      help: 'Tasks this worker holds now, by stage: active (running), reserved (waiting for a slot), scheduled (held for their ETA).',
      labelNames: ['stage'],
      registers,
      collect() {
        for (const stage of ['active', 'reserved', 'scheduled'] as const) {
          this.set({ stage }, requests.inStage(stage).length);
        }
      },
    });
    this.publishes = new Counter({
      name: 'celeriac_worker_publishes_total',
      help: 'Task messages this worker published (retries, chain steps, chord bodies), by outcome: confirmed by the broker or failed.',
      labelNames: ['outcome'],
      registers,
    });
  }

  onModuleInit(): void {
    this.events.listen((type, task) => this.onTaskEvent(type, task));
    this.client.observePublishes(({ outcome }) =>
      this.publishes.inc({ outcome }),
    );
  }

  private onTaskEvent(type: string, { id, name }: TaskEventSubject): void {
    if (type === 'task-started') {
      this.started.set(id, performance.now());
      return;
    }
    const state = FINAL_STATES[type];
    if (state === undefined) {
      return;
    }
    const startedAt = this.started.get(id);
    this.started.delete(id);
    this.tasks.inc({ task: name, state });
    if (startedAt !== undefined) {
      const seconds = (performance.now() - startedAt) / 1000;
      this.runtime.observe({ task: name, state }, seconds);
    }
  }
}
