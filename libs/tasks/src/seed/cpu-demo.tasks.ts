import { Controller } from '@nestjs/common';
import { Task } from '../task.decorator';
import type { TaskCall } from '../task-call';

/**
 * CPU-bound demo tasks: they never yield, so they show what WORKER_POOL
 * changes (cores used, a hard time limit that really stops them).
 */
@Controller()
export class CpuDemoTasks {
  @Task({
    name: 'fib_task',
    params: ['n'],
    description: 'fib(n), naive recursion (CPU-bound)',
  })
  fib({ args: [n] }: TaskCall<[number]>): number {
    if (!Number.isInteger(n) || n < 0 || n > 50) {
      throw new RangeError(`fib_task: n must be an integer in 0..50, not ${n}`);
    }
    return fib(n);
  }

  @Task({
    name: 'spin_task',
    params: ['seconds'],
    description: 'busy-loops for `seconds` without yielding, returns it',
  })
  spin({ args: [seconds] }: TaskCall<[number]>): number {
    if (typeof seconds !== 'number' || !(seconds >= 0)) {
      throw new RangeError(`spin_task: seconds must be >= 0, not ${seconds}`);
    }
    const until = performance.now() + seconds * 1000;
    while (performance.now() < until) {
      // Busy on purpose: nothing else runs on this thread meanwhile.
    }
    return seconds;
  }
}

/** The naive recursion the bench's Python side runs too. */
export function fib(n: number): number {
  return n < 2 ? n : fib(n - 1) + fib(n - 2);
}
