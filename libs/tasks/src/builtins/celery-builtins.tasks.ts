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
}
