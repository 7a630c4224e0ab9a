import { Controller, Module } from '@nestjs/common';
import { Task, type TaskCall } from '@celeriac/tasks';

/**
 * Python's `ValueError`: Celery stores an error as its `name` with module
 * `builtins`, so a Python client rebuilds `builtins.ValueError`.
 */
export class ValueError extends Error {
  override readonly name = 'ValueError';
}

/**
 * Test-only tasks, named and shaped like those of
 * `test/interop/python/interop_app.py`, so either side can run them.
 */
@Controller()
export class InteropTasks {
  @Task({ name: 'fail_task', params: ['message'] })
  fail({ args: [message] }: TaskCall<[string]>): never {
    throw new ValueError(message);
  }

  @Task({ name: 'sum_task', params: ['values'] })
  sum({ args: [values] }: TaskCall<[number[]]>): number {
    if (
      !Array.isArray(values) ||
      values.some((value) => typeof value !== 'number')
    ) {
      throw new TypeError('sum_task: values must be a list of numbers');
    }
    return values.reduce((total, value) => total + value, 0);
  }

  /** An errback as Celery sends it (old style): the failed task's id. */
  @Task({ name: 'errback_task', params: ['task_id'] })
  errback({ args: [taskId] }: TaskCall<[string]>): string {
    return `errback for ${taskId}`;
  }

  /** Celery's `self.request.retries` and `self.request.timelimit`. */
  @Task({ name: 'request_info', params: [] })
  requestInfo({ request }: TaskCall<[]>): {
    retries: number;
    timelimit: [number | null, number | null];
  } {
    const [hard, soft] = request.timeLimit;
    return { retries: request.retries, timelimit: [hard, soft] };
  }
}

/** Sleeps until done or its signal aborts (revoke with terminate). */
@Controller()
export class InteropSleepTask {
  @Task({ name: 'sleep_task', params: ['seconds'] })
  async sleep({
    args: [seconds],
    request,
  }: TaskCall<[number]>): Promise<number> {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, seconds * 1000);
      request.signal.addEventListener('abort', () => {
        clearTimeout(timer);
        resolve();
      });
    });
    return seconds;
  }
}

/** `bootWorker({ imports: [InteropTasksModule] })` */
@Module({ controllers: [InteropTasks, InteropSleepTask] })
export class InteropTasksModule {}
