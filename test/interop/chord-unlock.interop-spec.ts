// Chords from a Python producer whose result backend has no native chord
// join (Celery's stock file system backend): Celery itself sends
// `celery.chord_unlock`, and a celeriac worker (no Python worker here) runs
// the header, the unlock and the body.
import { jest } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { ResultRepository } from '@celeriac/results';
import { bootWorker, useEnvironment } from '../utils/boot-apps';
import { deleteQueue } from '../utils/rabbitmq';
import { InteropTasksModule } from './utils/interop-tasks.module';
import { type PythonEnv, runPython } from './utils/python';
import {
  BOOT_TIMEOUT_MS,
  TEARDOWN_TIMEOUT_MS,
  teardown,
} from '../utils/teardown';

const queue = `interop-unlock-${randomUUID()}`;
useEnvironment({
  TASK_DEFAULT_QUEUE: queue,
  WORKER_QUEUES: queue,
  WORKER_HOSTNAME: `celeriac-${randomUUID()}@interop`,
  // add_task takes 2 s: longer than the unlock's first poll (countdown 1 s).
  TASK_TIME_SCALE: '0.1',
  RESULT_EXPIRES: '300',
});
const pythonEnv: PythonEnv = { INTEROP_QUEUE: queue };

interface Outcome {
  id: string;
  result?: unknown;
  error?: { type: string; module: string; message: string };
}
interface UnlockRun {
  joins: Outcome & { header_ids: string[] };
  header_fails: Outcome & { header_ids: string[]; errback: Outcome };
  sent: { task: string; id: string; eta: string | null }[];
}

describe('celery.chord_unlock from a Python producer on a celeriac worker', () => {
  let worker: INestApplication;
  let run: UnlockRun;
  let polls: string[][];

  beforeAll(async () => {
    worker = await bootWorker({ imports: [InteropTasksModule] });
    // Every read of header states, to see the unlock poll more than once.
    const results = worker.get(ResultRepository);
    const read = results.getManyTaskMeta.bind(results);
    polls = [];
    jest.spyOn(results, 'getManyTaskMeta').mockImplementation((ids) => {
      polls.push([...ids]);
      return read(ids);
    });
    run = await runPython('run', { timeout: 30 }, pythonEnv, {
      script: 'unlock.py',
      timeoutMs: 90_000,
    });
  }, BOOT_TIMEOUT_MS + 90_000);

  afterAll(
    () =>
      teardown(
        () => worker?.close(),
        () => deleteQueue(queue),
      ),
    TEARDOWN_TIMEOUT_MS,
  );

  it('is what Celery sent: celery.chord_unlock, due after a countdown, once per chord', () => {
    const unlocks = run.sent.filter(
      ({ task }) => task === 'celery.chord_unlock',
    );
    expect(unlocks).toHaveLength(2);
    for (const unlock of unlocks) {
      expect(unlock.eta).toEqual(expect.any(String));
    }
  });

  it('applies the body with the joined header results once the header is done: 30 + 7', () => {
    expect(run.joins).toMatchObject({ result: 37 });
  });

  it('polls the header again, after its interval, until it is done', () => {
    const { header_ids: headerIds } = run.joins;
    const headerPolls = polls.filter(
      (ids) => JSON.stringify(ids) === JSON.stringify(headerIds),
    );
    // add_task takes 2 s; the unlock first looks after 1 s, then each 1 s.
    expect(headerPolls.length).toBeGreaterThanOrEqual(2);
  });

  it("fails the body with Celery's ChordError when a header task failed, and runs the body's errbacks", () => {
    const { id, header_ids: headerIds, error, errback } = run.header_fails;
    expect(error).toEqual({
      type: 'ChordError',
      module: 'celery.exceptions',
      message: `Dependency ${headerIds[1]} raised ValueError('boom')`,
    });
    expect(errback).toEqual({ result: `errback for ${id}` });
  });
});
