import { Inject, Injectable } from '@nestjs/common';
import { CeleriacConfig } from '@celeriac/config';
import type { CeleryEvent } from '@celeriac/broker';
import {
  emptyTask,
  type TaskProgress,
  type TaskRecord,
} from '../contract/flower-task';
import { applyTaskEvent } from './task-record';
import {
  applyWorkerEvent,
  emptyWorker,
  isAlive,
  type WorkerRecord,
} from './worker-record';

type TaskListener = (task: TaskRecord, event: CeleryEvent | null) => void;
type WorkerListener = (worker: WorkerRecord, event: CeleryEvent) => void;

/**
 * The monitor's memory, as Flower's `EventsState`: the tasks (at most
 * `MONITOR_MAX_TASKS`, the least recently updated evicted first), the
 * workers, and per worker a count of each event type. Listeners (SSE,
 * metrics, throughput) hear every change.
 */
@Injectable()
export class EventsState {
  private readonly tasks = new Map<string, TaskRecord>();
  private readonly workers = new Map<string, WorkerRecord>();
  readonly counter = new Map<string, Map<string, number>>();
  private readonly taskListeners = new Set<TaskListener>();
  private readonly workerListeners = new Set<WorkerListener>();
  private readonly maxTasks: number;

  constructor(@Inject(CeleriacConfig) config: CeleriacConfig) {
    this.maxTasks = config.monitor.maxTasks;
  }

  /** Applies one Celery event. */
  event(event: CeleryEvent): void {
    const [group, ...rest] = event.type.split('-');
    const kind = rest.join('-');
    const counts =
      this.counter.get(event.hostname) ?? new Map<string, number>();
    counts.set(event.type, (counts.get(event.type) ?? 0) + 1);
    this.counter.set(event.hostname, counts);
    if (group === 'worker') {
      const worker = this.worker(event.hostname);
      applyWorkerEvent(worker, kind, event);
      for (const listener of this.workerListeners) {
        listener(worker, event);
      }
      return;
    }
    if (group !== 'task' || typeof event.uuid !== 'string') {
      return;
    }
    if (kind !== 'sent') {
      // A task event proves its worker alive (Celery's State._event).
      const worker = this.worker(event.hostname);
      applyWorkerEvent(worker, null, event);
    }
    const task = this.touch(event.uuid);
    applyTaskEvent(task, event);
    this.emitTask(task, event);
  }

  /**
   * Records progress reported through the result backend, and the name and
   * worker its `result_extended` fields carry while the task's events have
   * not arrived yet (they travel through RabbitMQ, the progress through Redis).
   */
  progress(
    uuid: string,
    progress: TaskProgress,
    extended: { name?: string; worker?: string } = {},
  ): void {
    const task = this.touch(uuid);
    task.progress = progress;
    task.name ??= extended.name ?? null;
    task.worker ??= extended.worker ?? null;
    this.emitTask(task, null);
  }

  /**
   * Adds tasks rebuilt from elsewhere (the result backend) that the events
   * have not told about; known tasks are left alone. Oldest first.
   */
  restore(tasks: TaskRecord[]): void {
    for (const task of tasks) {
      if (!this.tasks.has(task.uuid)) {
        this.insert(task);
      }
    }
  }

  task(uuid: string): TaskRecord | undefined {
    return this.tasks.get(uuid);
  }

  allTasks(): TaskRecord[] {
    return [...this.tasks.values()];
  }

  taskTypes(): string[] {
    const names = new Set<string>();
    for (const task of this.tasks.values()) {
      if (task.name) {
        names.add(task.name);
      }
    }
    return [...names].sort();
  }

  allWorkers(): WorkerRecord[] {
    return [...this.workers.values()];
  }

  findWorker(hostname: string): WorkerRecord | undefined {
    return this.workers.get(hostname);
  }

  isAlive(hostname: string, now = Date.now() / 1000): boolean {
    const worker = this.workers.get(hostname);
    return worker ? isAlive(worker, now) : false;
  }

  onTask(listener: TaskListener): () => void {
    this.taskListeners.add(listener);
    return () => this.taskListeners.delete(listener);
  }

  onWorker(listener: WorkerListener): () => void {
    this.workerListeners.add(listener);
    return () => this.workerListeners.delete(listener);
  }

  private worker(hostname: string): WorkerRecord {
    let worker = this.workers.get(hostname);
    if (!worker) {
      worker = emptyWorker(hostname);
      this.workers.set(hostname, worker);
    }
    return worker;
  }

  // Re-inserting moves the task to the end: the map's order is recency.
  private touch(uuid: string): TaskRecord {
    const task = this.tasks.get(uuid) ?? emptyTask(uuid);
    this.tasks.delete(uuid);
    this.insert(task);
    return task;
  }

  private insert(task: TaskRecord): void {
    this.tasks.set(task.uuid, task);
    while (this.tasks.size > this.maxTasks) {
      const oldest = this.tasks.keys().next().value;
      if (oldest === undefined) {
        break;
      }
      this.tasks.delete(oldest);
    }
  }

  private emitTask(task: TaskRecord, event: CeleryEvent | null): void {
    for (const listener of this.taskListeners) {
      listener(task, event);
    }
  }
}
