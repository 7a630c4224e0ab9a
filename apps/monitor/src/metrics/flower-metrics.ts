import { Injectable } from '@nestjs/common';
import {
  collectDefaultMetrics,
  Counter,
  Gauge,
  Histogram,
  Registry,
} from 'prom-client';
import type { CeleryEvent } from '@celeriac/broker';
import type { TaskRecord } from '../contract/flower-task';

/**
 * Flower's Prometheus metrics (`flower/events.py` `PrometheusMetrics`), same
 * names, help and labels, updated from the same events as Flower updates
 * them. A registry of its own, so several apps in one process do not clash.
 */
@Injectable()
export class FlowerMetrics {
  readonly registry = new Registry();
  private readonly events = new Counter({
    name: 'flower_events_total',
    help: 'Number of events',
    labelNames: ['worker', 'type', 'task'],
    registers: [this.registry],
  });
  private readonly runtime = new Histogram({
    name: 'flower_task_runtime_seconds',
    help: 'Task runtime',
    labelNames: ['worker', 'task'],
    registers: [this.registry],
  });
  private readonly prefetchTime = new Gauge({
    name: 'flower_task_prefetch_time_seconds',
    help: 'The time the task spent waiting at the celery worker to be executed.',
    labelNames: ['worker', 'task'],
    registers: [this.registry],
  });
  private readonly prefetched = new Gauge({
    name: 'flower_worker_prefetched_tasks',
    help: 'Number of tasks of given type prefetched at a worker',
    labelNames: ['worker', 'task'],
    registers: [this.registry],
  });
  private readonly workerOnline = new Gauge({
    name: 'flower_worker_online',
    help: 'Worker online status',
    labelNames: ['worker'],
    registers: [this.registry],
  });
  private readonly executing = new Gauge({
    name: 'flower_worker_number_of_currently_executing_tasks',
    help: 'Number of tasks currently executing at a worker',
    labelNames: ['worker'],
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  /** Called after the state applied a task event. */
  onTaskEvent(task: TaskRecord, event: CeleryEvent): void {
    const worker = event.hostname;
    const name =
      (typeof event.name === 'string' && event.name) || task.name || '';
    this.events.inc({ worker, type: event.type, task: name });
    const runtime = event.runtime;
    if (typeof runtime === 'number' && runtime > 0) {
      this.runtime.observe({ worker, task: name }, runtime);
    }
    const labels = { worker, task: name };
    if (event.type === 'task-received' && !task.eta && task.received) {
      this.prefetched.inc(labels);
    }
    if (
      event.type === 'task-started' &&
      !task.eta &&
      task.started &&
      task.received
    ) {
      this.prefetchTime.set(labels, task.started - task.received);
      this.prefetched.dec(labels);
    }
    if (
      (event.type === 'task-succeeded' || event.type === 'task-failed') &&
      !task.eta &&
      task.started &&
      task.received
    ) {
      this.prefetchTime.set(labels, 0);
    }
  }

  /** Called for every worker event. */
  onWorkerEvent(event: CeleryEvent): void {
    const worker = event.hostname;
    if (event.type === 'worker-online') {
      this.workerOnline.set({ worker }, 1);
    } else if (event.type === 'worker-heartbeat') {
      this.workerOnline.set({ worker }, 1);
      if (typeof event.active === 'number') {
        this.executing.set({ worker }, event.active);
      }
    } else if (event.type === 'worker-offline') {
      this.workerOnline.set({ worker }, 0);
    }
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
