import { Controller, Module } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import { Task, type TaskCall } from '@celeriac/tasks';

/** An error the `autoretryFor` option names. */
export class FlakyError extends Error {
  override readonly name = 'FlakyError';
}

/** What the test tasks saw, per task id: the suites read it back. */
export const observed = {
  ran: new Set<string>(),
  cleanedUp: new Map<string, string>(),
  startedAt: new Map<string, number>(),
};

/** Test-only tasks that exercise retries, time limits and ETA. */
@Controller()
export class SemanticsTasks {
  /** Fails `failures` times through `retry()`, then returns its retry count. */
  @Task({
    name: 'flaky_task',
    params: ['failures', 'countdown'],
    maxRetries: 3,
  })
  flaky({
    args: [failures, countdown],
    request,
  }: TaskCall<[number, number]>): number {
    observed.ran.add(request.id);
    if (request.retries < failures) {
      request.retry({
        countdown,
        error: new FlakyError(`attempt ${request.retries + 1} failed`),
      });
    }
    return request.retries;
  }

  /** Always throws FlakyError, which it retries by itself twice. */
  @Task({
    name: 'always_failing_task',
    params: [],
    maxRetries: 2,
    autoretryFor: ['FlakyError'],
    retryBackoff: { base: 0.05, jitter: false },
  })
  alwaysFails({ request }: TaskCall<[]>): never {
    throw new FlakyError(`attempt ${request.retries + 1} failed`);
  }

  /** Waits for its signal (the soft limit), then cleans up and returns. */
  @Task({
    name: 'soft_limited_task',
    params: [],
    softTimeLimit: 0.2,
    timeLimit: 10,
  })
  async softLimited({ request }: TaskCall<[]>): Promise<string> {
    await new Promise((resolve) =>
      request.signal.addEventListener('abort', resolve, { once: true }),
    );
    const reason = (request.signal.reason as Error).name;
    observed.cleanedUp.set(request.id, reason);
    return `cleaned up after ${reason}`;
  }

  /** Never finishes by itself: the hard limit has to end it. */
  @Task({ name: 'hard_limited_task', params: [], timeLimit: 0.3 })
  async hardLimited({ request }: TaskCall<[]>): Promise<never> {
    observed.ran.add(request.id);
    return new Promise<never>(() => undefined);
  }

  /** Records when it started, sleeps, returns its id. */
  @Task({ name: 'sleepy_task', params: ['seconds'] })
  async sleepy({
    args: [seconds],
    request,
  }: TaskCall<[number]>): Promise<string> {
    observed.ran.add(request.id);
    observed.startedAt.set(request.id, Date.now());
    await sleep(seconds * 1000, undefined, { signal: request.signal });
    return request.id;
  }

  /** sleepy_task without STARTED (Celery's default `track_started=False`). */
  @Task({ name: 'untracked_task', params: ['seconds'], trackStarted: false })
  async untracked(call: TaskCall<[number]>): Promise<string> {
    return this.sleepy(call);
  }
}

/** `bootWorker({ imports: [SemanticsTasksModule] })` */
@Module({ controllers: [SemanticsTasks] })
export class SemanticsTasksModule {}
