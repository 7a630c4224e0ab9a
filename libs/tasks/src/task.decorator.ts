import { SetMetadata, UseFilters } from '@nestjs/common';
import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { EventPattern } from '@nestjs/microservices';
import { TaskErrorFilter } from './execution/task-error.filter';
import type { TaskCall } from './task-call';
import type { TaskOptions } from './task-options';
import { TASK_OPTIONS_METADATA } from './tasks.constants';

/** A method that can be a task handler: it takes one `TaskCall`. */
type TaskHandler = (call: TaskCall<never>) => unknown;

/**
 * Declares a task handler: an `@EventPattern` on the task name, so the
 * worker's transport routes messages to it, plus the options the registry
 * and the executor read. Put it on a method of a `@Controller()` class.
 *
 * @example
 * @Task({ name: 'add_task', params: ['a', 'b'] })
 * add({ args: [a, b] }: TaskCall<[number, number]>) { return a + b; }
 */
export function Task(options: TaskOptions) {
  const eventPattern = EventPattern(options.name) as MethodDecorator;
  return <F extends TaskHandler>(
    target: object,
    key: string | symbol,
    descriptor: TypedPropertyDescriptor<F>,
  ): void => {
    eventPattern(target, key, descriptor);
    SetMetadata(TASK_OPTIONS_METADATA, options)(target, key, descriptor);
    UseFilters(TaskErrorFilter)(target, key, descriptor);
    // A task takes the TaskCall the executor built (its arguments already
    // bound to `params`). Without parameter decorators, Nest would run its
    // per-call argument pipeline (pipes over payload and context, a handful
    // of promises per task) to hand the same two arguments on; empty
    // argument metadata passes them straight through. `@Payload(pipe)` or
    // `@Ctx()` on the method still get Nest's full treatment; guards,
    // interceptors and exception filters apply either way.
    if (!Reflect.hasOwnMetadata(ROUTE_ARGS_METADATA, target.constructor, key)) {
      Reflect.defineMetadata(ROUTE_ARGS_METADATA, {}, target.constructor, key);
    }
  };
}
