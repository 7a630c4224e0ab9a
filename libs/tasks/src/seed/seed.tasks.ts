import { Controller, Inject } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import { Task } from '../task.decorator';
import type { TaskCall } from '../task-call';
import {
  TASKS_MODULE_OPTIONS,
  type TasksModuleOptions,
} from '../tasks.module-definition';

/** The seed's three tasks (DESIGN.md), with its durations scaled by TASK_TIME_SCALE. */
@Controller()
export class SeedTasks {
  constructor(
    @Inject(TASKS_MODULE_OPTIONS) private readonly options: TasksModuleOptions,
  ) {}

  /** Reports PROGRESS each of its 20 seconds, so `/result` shows how far it is. */
  @Task({ name: 'add_task', params: ['a', 'b'], description: 'a + b (20 s)' })
  async add({
    args: [a, b],
    request,
  }: TaskCall<[number, number]>): Promise<number> {
    requireNumbers('add_task', a, b);
    const total = 20;
    for (
      let current = 1;
      current <= total && this.options.timeScale > 0;
      current++
    ) {
      await this.pause(1, request.signal);
      await request.progress({ current, total });
    }
    return a + b;
  }

  @Task({ name: 'multi_task', params: ['a', 'b'], description: 'a * b (2 s)' })
  async multiply({
    args: [a, b],
    request,
  }: TaskCall<[number, number]>): Promise<number> {
    requireNumbers('multi_task', a, b);
    await this.pause(2, request.signal);
    return a * b;
  }

  @Task({
    name: 'sum_multiply_task',
    params: ['total', 'a', 'b'],
    description: '[total * a, total * b] (2 s)',
  })
  async sumMultiply({
    args: [total, a, b],
    request,
  }: TaskCall<[number, number, number]>): Promise<[number, number]> {
    requireNumbers('sum_multiply_task', total, a, b);
    await this.pause(2, request.signal);
    return [total * a, total * b];
  }

  private async pause(seconds: number, signal: AbortSignal): Promise<void> {
    const ms = seconds * 1000 * this.options.timeScale;
    if (ms > 0) {
      await sleep(ms, undefined, { signal });
    }
  }
}

/** Python would raise TypeError on `'x' + 1`; JS would concatenate. */
function requireNumbers(task: string, ...values: unknown[]): void {
  const bad = values.find((value) => typeof value !== 'number');
  if (bad !== undefined) {
    throw new TypeError(
      `${task}: unsupported operand type: ${bad === null ? 'None' : typeof bad}`,
    );
  }
}
