import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { CanvasContext } from '../canvas/canvas-plan';
import { TaskRegistry } from '../registry/task.registry';
import {
  TASKS_MODULE_OPTIONS,
  type TasksModuleOptions,
} from '../tasks.module-definition';

/**
 * Where a task goes and what its id is when the caller names neither: the
 * queue its `@Task` declares, else TASK_DEFAULT_QUEUE, and a new UUID
 * (Celery's router and `uuid()`). The producer and the worker's next
 * chain steps, chord bodies and errbacks ask the same one.
 */
@Injectable()
export class TaskRouter implements CanvasContext {
  constructor(
    private readonly registry: TaskRegistry,
    @Inject(TASKS_MODULE_OPTIONS) private readonly options: TasksModuleOptions,
  ) {}

  queueFor(task: string): string {
    return this.registry.get(task)?.queue ?? this.options.defaultQueue;
  }

  newId(): string {
    return randomUUID();
  }
}
