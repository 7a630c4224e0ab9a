import { Controller } from '@nestjs/common';
import { Task } from '../task.decorator';
import type { TaskCall } from '../task-call';

/**
 * Celery's own builtin tasks that a celeriac worker can honour, under their
 * Python names, so a Python client's `celery.accumulate` runs here too.
 */
@Controller()
export class CeleryBuiltinTasks {
  /**
   * `celery.accumulate(*args, index=None)` (celery/app/builtins.py): returns
   * its positional arguments, or the one at `index`. A no-op that both
   * Python and celeriac workers know, so the benchmark runs the same task on
   * every system.
   */
  @Task({
    name: 'celery.accumulate',
    params: ['*args', '**kwargs'],
    description: "Celery's builtin: returns its args (or args[index])",
  })
  accumulate({ args, kwargs }: TaskCall): unknown {
    const { index } = kwargs;
    return typeof index === 'number' ? (args[index] ?? null) : args;
  }

  /**
   * `celery.backend_cleanup()`: nothing to do on Redis, whose result keys
   * expire by themselves (Celery's key-value backends do the same).
   */
  @Task({
    name: 'celery.backend_cleanup',
    params: [],
    description:
      "Celery's builtin: expired results cleanup (Redis expires keys)",
  })
  backendCleanup(): null {
    return null;
  }

  /**
   * `celery.chain`: in Celery 5 "not a real task" (a chain is sent as its
   * first task with the rest in `embed.chain`); it raises as Celery's does.
   */
  @Task({
    name: 'celery.chain',
    params: ['*args', '**kwargs'],
    description:
      "Celery's builtin: not a real task, raises NotImplementedError",
  })
  chain(): never {
    throw new NotImplementedError('chain is not a real task');
  }
}

/** Python's `NotImplementedError`. */
export class NotImplementedError extends Error {
  override readonly name = 'NotImplementedError';
}
