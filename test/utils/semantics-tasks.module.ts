import { Controller, Module } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { appendFileSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Task, type TaskCall } from '@celeriac/tasks';
import type { ChildTaskModule } from './boot-apps';

/** An error the `autoretryFor` option names. */
export class FlakyError extends Error {
  override readonly name = 'FlakyError';
}

// Set once in the suite's process; a pool child inherits it.
const OBSERVED_FILE = (process.env.CELERIAC_TEST_OBSERVED_FILE ??= join(
  tmpdir(),
  `celeriac-observed-${randomUUID()}.jsonl`,
));

type Observation = 'ran' | 'cleanedUp' | 'startedAt';

function record(kind: Observation, id: string, value: unknown = true): void {
  appendFileSync(OBSERVED_FILE, `${JSON.stringify({ kind, id, value })}\n`);
}

function lookUp(kind: Observation, id: string): unknown {
  let text: string;
  try {
    text = readFileSync(OBSERVED_FILE, 'utf8');
  } catch {
    // Nothing recorded yet.
    return undefined;
  }
  const found = text
    .split('\n')
    .filter(Boolean)
    .map(
      (line) =>
        JSON.parse(line) as { kind: string; id: string; value: unknown },
    )
    .find((entry) => entry.kind === kind && entry.id === id);
  return found?.value;
}

/**
 * What the test tasks saw, per task id: the suites read it back. Kept in a
 * file, since with WORKER_POOL processes / threads the tasks run in a pool
 * child, not in the suite's process.
 */
export const observed = {
  ran: (id: string): boolean => lookUp('ran', id) === true,
  cleanedUp: (id: string) => lookUp('cleanedUp', id) as string | undefined,
  startedAt: (id: string) => lookUp('startedAt', id) as number | undefined,
  /** Removes the file (a suite's teardown). */
  clear: () => rmSync(OBSERVED_FILE, { force: true }),
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
    record('ran', request.id);
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
    record('cleanedUp', request.id, reason);
    return `cleaned up after ${reason}`;
  }

  /** Never finishes by itself: the hard limit has to end it. */
  @Task({ name: 'hard_limited_task', params: [], timeLimit: 0.3 })
  async hardLimited({ request }: TaskCall<[]>): Promise<never> {
    record('ran', request.id);
    return new Promise<never>(() => undefined);
  }

  /** Records when it started, sleeps, returns its id. */
  @Task({ name: 'sleepy_task', params: ['seconds'] })
  async sleepy({
    args: [seconds],
    request,
  }: TaskCall<[number]>): Promise<string> {
    record('ran', request.id);
    record('startedAt', request.id, Date.now());
    await sleep(seconds * 1000, undefined, { signal: request.signal });
    return request.id;
  }

  /** sleepy_task without STARTED (Celery's default `track_started=False`). */
  @Task({ name: 'untracked_task', params: ['seconds'], trackStarted: false })
  async untracked(call: TaskCall<[number]>): Promise<string> {
    return this.sleepy(call);
  }
}

/** `bootWorker({ imports: [SemanticsTasksModule], childModules: [SEMANTICS_CHILD_MODULE] })` */
@Module({ controllers: [SemanticsTasks] })
export class SemanticsTasksModule {}

/** SemanticsTasksModule for a pool child (`bootWorker`'s `childModules`). */
export const SEMANTICS_CHILD_MODULE: ChildTaskModule = {
  file: 'test/utils/semantics-tasks.module.ts',
  name: SemanticsTasksModule.name,
};
