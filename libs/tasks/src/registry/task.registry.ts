import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { DuplicateTaskError } from '../errors/duplicate-task.error';
import type { TaskOptions } from '../task-options';
import { TASK_OPTIONS_METADATA } from '../tasks.constants';
import type { TaskCall } from '../task-call';

/** A `@Task` method, bound to its controller. */
export type TaskHandler = (call: TaskCall) => unknown;

/**
 * Every `@Task` in the application, found at start-up. Fails the boot when a
 * name is declared twice.
 */
@Injectable()
export class TaskRegistry implements OnModuleInit {
  private readonly logger = new Logger(TaskRegistry.name);
  private readonly tasks = new Map<string, TaskOptions>();
  /** Handlers found on controllers, for in-process calls (`celery.map`). */
  private readonly handlers = new Map<string, TaskHandler>();

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly reflector: Reflector,
  ) {}

  onModuleInit(): void {
    for (const wrapper of this.discovery.getControllers()) {
      const instance: unknown = wrapper.instance;
      if (!instance || typeof instance !== 'object') {
        continue;
      }
      const prototype = Object.getPrototypeOf(instance) as object;
      for (const method of this.scanner.getAllMethodNames(prototype)) {
        const handler = (prototype as Record<string, unknown>)[method];
        if (typeof handler !== 'function') {
          continue;
        }
        const options = this.reflector.get<TaskOptions | undefined>(
          TASK_OPTIONS_METADATA,
          handler,
        );
        if (options) {
          this.register(options);
          this.handlers.set(
            options.name,
            (handler as TaskHandler).bind(instance),
          );
        }
      }
    }
  }

  /** Adds a task; also used by tests and by apps that declare tasks by hand. */
  register(options: TaskOptions): void {
    if (this.tasks.has(options.name)) {
      throw new DuplicateTaskError(options.name);
    }
    this.tasks.set(options.name, options);
    this.logger.verbose({ msg: 'task registered', task: options.name });
  }

  get(name: string): TaskOptions | undefined {
    return this.tasks.get(name);
  }

  /** The task's handler, to call it in this process (Celery's `task(*args)`). */
  handler(name: string): TaskHandler | undefined {
    return this.handlers.get(name);
  }

  has(name: string): boolean {
    return this.tasks.has(name);
  }

  list(): TaskOptions[] {
    return [...this.tasks.values()];
  }
}
