import { Inject, Injectable } from '@nestjs/common';
import {
  type CanvasEventField,
  type CeleryEvent,
  readCanvasField,
} from '@celeriac/broker';
import { CeleriacConfig } from '@celeriac/config';
import type { TaskRecord } from '../contract/flower-task';
import { EventsState } from '../state/events-state';
import { presentTask } from '../state/task-record';
import type { WorkflowSource } from './workflow-source';

/**
 * What the monitor knows of each task's canvas besides Flower's fields:
 * the `canvas` field of celeriac workers' `task-received` events, and the
 * `group_id` results name (Python workers send no canvas field). Kept for
 * the tasks the state keeps: entries of evicted tasks are dropped when the
 * index outgrows the state.
 */
@Injectable()
export class CanvasIndex implements WorkflowSource {
  private readonly fields = new Map<string, CanvasEventField>();
  private readonly stored = new Map<string, string>();
  private readonly limit: number;

  constructor(
    private readonly state: EventsState,
    @Inject(CeleriacConfig) config: CeleriacConfig,
  ) {
    // Pruned past half again the state's size: amortised, as evictions are.
    this.limit = Math.max(1000, Math.ceil(config.monitor.maxTasks * 1.5));
    state.onTask((task, event) => this.onTask(task, event));
  }

  task(id: string): TaskRecord | undefined {
    const task = this.state.task(id);
    return task ? presentTask(task) : undefined;
  }

  *tasks(): Iterable<TaskRecord> {
    for (const task of this.state.allTasks()) {
      yield presentTask(task);
    }
  }

  canvas(id: string): CanvasEventField | undefined {
    return this.fields.get(id);
  }

  canvases(): Iterable<[string, CanvasEventField]> {
    return this.fields.entries();
  }

  storedGroup(id: string): string | undefined {
    return this.stored.get(id);
  }

  /** A result document's `group_id` (from the backend's pub/sub). */
  recordStoredGroup(id: string, groupId: string): void {
    if (this.stored.get(id) !== groupId) {
      this.stored.set(id, groupId);
      this.prune(this.stored);
    }
  }

  private onTask(task: TaskRecord, event: CeleryEvent | null): void {
    if (event?.type !== 'task-received' || event.canvas === undefined) {
      return;
    }
    const field = readCanvasField(event.canvas);
    if (field) {
      this.fields.set(task.uuid, field);
      this.prune(this.fields);
    }
  }

  /** Forgets the entries of tasks the state has evicted. */
  private prune(map: Map<string, unknown>): void {
    if (map.size <= this.limit) {
      return;
    }
    for (const id of map.keys()) {
      if (!this.state.task(id)) {
        map.delete(id);
      }
    }
  }
}
