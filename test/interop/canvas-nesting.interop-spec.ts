// Nested canvases, map/starmap/chunks and link/link_error sent by a Python
// Celery client to a celeriac worker (no Python worker here): every
// expected value is what a Python worker gives for the same canvas.
import type { INestApplication } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { bootWorker, useEnvironment } from '../utils/boot-apps';
import { deleteQueue } from '../utils/rabbitmq';
import { InteropTasksModule } from './utils/interop-tasks.module';
import { type PythonEnv, runPython } from './utils/python';
import {
  BOOT_TIMEOUT_MS,
  TEARDOWN_TIMEOUT_MS,
  teardown,
} from '../utils/teardown';

const queue = `interop-canvas-${randomUUID()}`;
useEnvironment({
  TASK_DEFAULT_QUEUE: queue,
  WORKER_QUEUES: queue,
  WORKER_HOSTNAME: `celeriac-${randomUUID()}@interop`,
  TASK_TIME_SCALE: '0',
  RESULT_EXPIRES: '300',
});
const pythonEnv: PythonEnv = { INTEROP_QUEUE: queue, TASK_TIME_SCALE: '0' };

const CASES = [
  'chord_header_chain',
  'chain_of_chords',
  'group_of_chains',
  'chord_in_group',
  'group_in_chain',
  'chord_header_group',
  'chord_header_chord',
  'depth_three',
  'starmap',
  'map',
  'chunks',
  'link',
  'link_error',
  'chord_header_fails',
  'chord_errback_on_header',
] as const;

interface Outcome {
  result?: unknown;
  error?: { type: string; module: string; message: string };
}
type CaseOutcome = Outcome & {
  id: string;
  restored?: (Outcome & { id: string })[] | null;
  failed_id?: string;
  header_ids?: string[];
  errback?: Outcome;
  body?: Outcome;
  body_id?: string;
  failed_copy?: Outcome;
};

describe('nested canvases from a Python client on a celeriac worker', () => {
  let worker: INestApplication;
  let outcomes: Record<(typeof CASES)[number], CaseOutcome>;

  beforeAll(async () => {
    worker = await bootWorker({ imports: [InteropTasksModule] });
    // One Python process applies every canvas, then awaits each result.
    outcomes = await runPython(
      'run',
      { cases: CASES, timeout: 20 },
      pythonEnv,
      { script: 'canvas.py', timeoutMs: 90_000 },
    );
  }, BOOT_TIMEOUT_MS + 90_000);

  afterAll(
    () =>
      teardown(
        () => worker?.close(),
        () => deleteQueue(queue),
      ),
    TEARDOWN_TIMEOUT_MS,
  );

  it.each([
    ['chord_header_chain', 'a chord whose header holds a chain', 37],
    ['chain_of_chords', 'a chain of two chords', 28],
    ['group_of_chains', 'a group of chains', [6, 21]],
    ['chord_in_group', 'a chord inside a group', [6, 10]],
    ['group_in_chain', 'a group inside a chain (the chord upgrade)', 10],
    ['chord_header_group', 'a chord whose header holds a group', 12],
    ['chord_header_chord', 'a chord whose header holds a chord', 12],
    ['depth_three', 'chain > group > (chain, chord), depth 3', 17],
    ['starmap', 'add_task.starmap (celery.starmap)', [3, 7]],
    ['map', 'sum_task.map (celery.map)', [3, 7]],
    [
      'chunks',
      'add_task.chunks(..., 2) (a group of celery.starmap)',
      [[3, 7], [11]],
    ],
    ['link', 'a link callback, applied with the result', 30],
  ] as const)('%s: %s gives what Celery gives', (name, _what, expected) => {
    expect(outcomes[name]).toMatchObject({ result: expected });
  });

  it("restores a saved group of chains with GroupResult.restore(): each chain's last result", () => {
    const { restored } = outcomes.group_of_chains;
    expect(restored?.map(({ result }) => result)).toEqual([6, 21]);
  });

  it("runs link_error with the failed task's id, as Celery's errbacks", () => {
    const { failed_id: failedId, result } = outcomes.link_error;
    expect(failedId).toEqual(expect.any(String));
    expect(result).toBe(`errback for ${failedId}`);
  });

  it("fails the body of a chord whose header failed with Celery's ChordError, and runs the body's errbacks", () => {
    const {
      id,
      header_ids: headerIds,
      error,
      body,
      errback,
    } = outcomes.chord_header_fails;
    // Celery's .get() re-raises the failed header part's error first.
    expect(error).toEqual({
      type: 'ValueError',
      module: 'builtins',
      message: 'boom',
    });
    expect(body?.error).toEqual({
      type: 'ChordError',
      module: 'celery.exceptions',
      message: `Dependency ${headerIds?.[1]} raised ValueError('boom')`,
    });
    expect(errback).toEqual({ result: `errback for ${id}` });
  });

  it("runs the errback copies Celery 5.3's task_allow_error_cb_on_chord_header links to header tasks, and the body's", () => {
    const {
      result,
      body_id: bodyId,
      failed_copy: failedCopy,
      header_ids: headerIds,
    } = outcomes.chord_errback_on_header;
    expect(result).toBe(`errback for ${bodyId}`);
    // Celery's copy carries `immutable` as an option only: it gets the id.
    expect(failedCopy).toEqual({ result: `errback for ${headerIds?.[1]}` });
  });
});
