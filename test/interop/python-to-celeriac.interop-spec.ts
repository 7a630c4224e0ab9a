// Python Celery sends, a celeriac worker runs: no Python worker here, so
// whatever finishes was run by celeriac.
import type { INestApplication } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { bootApi, bootWorker, useEnvironment } from '../utils/boot-apps';
import { awaitResult } from '../utils/await-result';
import { pollUntil } from '../utils/poll-until';
import { deleteQueue } from '../utils/rabbitmq';
import { InteropTasksModule } from './utils/interop-tasks.module';
import { type PythonEnv, runPython } from './utils/python';
import {
  BOOT_TIMEOUT_MS,
  TEARDOWN_TIMEOUT_MS,
  teardown,
} from '../utils/teardown';

const queue = `interop-js-${randomUUID()}`;
const hostname = `celeriac-${randomUUID()}@interop`;
useEnvironment({
  TASK_DEFAULT_QUEUE: queue,
  WORKER_QUEUES: queue,
  WORKER_HOSTNAME: hostname,
  TASK_TIME_SCALE: '0',
  RESULT_EXPIRES: '300',
});
const pythonEnv: PythonEnv = { INTEROP_QUEUE: queue, TASK_TIME_SCALE: '0' };

/** What client.py's `get` prints. */
interface PythonGet {
  result?: unknown;
  repr?: string;
  error?: { type: string; module: string; message: string };
}

describe('Python Celery as the client of a celeriac worker', () => {
  let api: INestApplication;
  let worker: INestApplication;
  const finished = (path: string) => awaitResult(api, path);
  const python = <T = Record<string, unknown>>(
    command: string,
    params: Record<string, unknown>,
  ) => runPython<T>(command, params, pythonEnv);
  const sendTask = async (
    name: string,
    args: unknown[],
    options: Record<string, unknown> = {},
  ) =>
    (
      await python<{ id: string }>('send_task', {
        name,
        args,
        queue,
        ...options,
      })
    ).id;
  const pythonGet = (id: string) =>
    python<PythonGet>('get', { id, timeout: 10 });

  beforeAll(async () => {
    api = await bootApi();
    worker = await bootWorker({ imports: [InteropTasksModule] });
  }, BOOT_TIMEOUT_MS);

  afterAll(
    () =>
      teardown(
        () => worker?.close(),
        () => api?.close(),
        () => deleteQueue(queue),
      ),
    TEARDOWN_TIMEOUT_MS,
  );

  it('(1) runs send_task("add_task", [2, 3]): Python gets 5, /result says SUCCESS 5', async () => {
    const id = await sendTask('add_task', [2, 3]);

    expect(await pythonGet(id)).toEqual({ result: 5, repr: '5' });
    const done = await finished(`/result/${id}`);
    expect(done.status).toBe(200);
    expect(done.body).toEqual({ task_id: id, status: 'SUCCESS', result: 5 });
  });

  it("(3a) fails fail_task('boom') so that Python raises builtins.ValueError('boom')", async () => {
    const id = await sendTask('fail_task', ['boom']);

    expect(await pythonGet(id)).toEqual({
      error: { type: 'ValueError', module: 'builtins', message: 'boom' },
    });
    const done = await finished(`/result/${id}`);
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({
      task_id: id,
      status: 'FAILURE',
      error: { type: 'ValueError', message: 'boom' },
    });
  });

  it("(3a) fails add_task('x', 1) so that Python raises builtins.TypeError", async () => {
    const id = await sendTask('add_task', ['x', 1]);

    expect(await pythonGet(id)).toEqual({
      error: {
        type: 'TypeError',
        module: 'builtins',
        message: expect.stringContaining('add_task'),
      },
    });
  });

  it('(4a) runs a Python chain add_task.s(2, 3) | sum_multiply_task.s(2, 3) to [10, 15]', async () => {
    const { id, parent_id: parentId } = await python<{
      id: string;
      parent_id: string;
    }>('chain', { a: 2, b: 3, queue });

    expect(await pythonGet(id)).toEqual({
      result: [10, 15],
      repr: '[10, 15]',
    });
    const done = await finished(`/result/${id}`);
    expect(done.status).toBe(200);
    expect(done.body).toEqual({
      task_id: id,
      status: 'SUCCESS',
      result: [10, 15],
    });
    const first = await finished(`/result/${parentId}`);
    expect(first.body).toEqual({
      task_id: parentId,
      status: 'SUCCESS',
      result: 5,
    });
  });

  it('(5b) serves a group Python applied and saved at /result/group/{id}: [3, 12]', async () => {
    const { group_id: groupId, children } = await python<{
      group_id: string;
      children: string[];
    }>('group_save', { queue });

    const done = await finished(`/result/group/${groupId}`);
    expect(done.status).toBe(200);
    expect(done.body).toEqual({
      group_id: groupId,
      ready: true,
      successful: true,
      completed: 2,
      total: 2,
      results: [
        { task_id: children[0], status: 'SUCCESS', result: 3 },
        { task_id: children[1], status: 'SUCCESS', result: 12 },
      ],
    });
  });

  it("saves a group of chains celeriac's /v1/workflows submitted, run on celeriac, so that Python's GroupResult.restore(id).get() is [6, 21]", async () => {
    const add = (...args: number[]) => ({ task: 'add_task', args });
    const multi = (...args: number[]) => ({ task: 'multi_task', args });
    const submitted = await request(api.getHttpServer())
      .post('/v1/workflows')
      .send({
        group: [
          { chain: [add(1, 2), multi(2)] },
          { chain: [add(3, 4), multi(3)] },
        ],
      })
      .expect(202);
    const { task_id: groupId, task_ids: ids } = submitted.body as {
      task_id: string;
      task_ids: string[];
    };

    const restored = await python('group_restore_get', {
      group_id: groupId,
      timeout: 15,
    });
    // Each member is its chain's last task, as Celery saves a group of chains.
    expect(restored).toEqual({ result: [6, 21], children: [ids[1], ids[3]] });
  });

  it('reads the integer headers py-amqp writes: request_info sees retries 200 and timelimit [1200, 600]', async () => {
    const id = await sendTask('request_info', [], {
      retries: 200,
      time_limit: 1200,
      soft_time_limit: 600,
    });

    expect(await pythonGet(id)).toEqual({
      result: { retries: 200, timelimit: [1200, 600] },
      repr: "{'retries': 200, 'timelimit': [1200, 600]}",
    });
  });

  it('runs sum_task (the chord body) sent by Python', async () => {
    const id = await sendTask('sum_task', [[1, 2, 3, 4]]);
    expect(await pythonGet(id)).toEqual({ result: 10, repr: '10' });
  });
  it("(7) completes a chord sent from Python: Python's .get() returns the body's result", async () => {
    const sent = await python<{ id: string; group_id: string }>('chord', {
      pairs: [
        [1, 1],
        [2, 2],
      ],
      queue,
    });

    expect(await pythonGet(sent.id)).toEqual({ result: 6, repr: '6' });
    const done = await finished(`/result/${sent.id}`);
    expect(done.body).toEqual({
      task_id: sent.id,
      status: 'SUCCESS',
      result: 6,
    });
  });

  it('(7) fails a Python chord whose header failed on celeriac with ChordError', async () => {
    const sent = await python<{ id: string }>('chord', {
      pairs: [
        [1, 1],
        ['x', 2],
      ],
      queue,
    });

    const outcome = await pythonGet(sent.id);
    expect(outcome.error).toMatchObject({ type: 'ChordError' });
    expect(outcome.error?.message).toContain('TypeError');
  });
  it("answers Python's app.control.ping as a Celery worker does", async () => {
    const replies = await runPython(
      'ping',
      { destination: [hostname] },
      pythonEnv,
      { script: 'control.py' },
    );
    expect(replies).toEqual({ replies: [{ [hostname]: { ok: 'pong' } }] });
  });

  it("terminates a running task on Python's app.control.revoke(id, terminate=True)", async () => {
    const id = await sendTask('sleep_task', [30]);
    await pollUntil(
      () => python<{ state: string }>('state', { id }),
      ({ state }) => state === 'STARTED',
    );

    const replies = await runPython(
      'revoke',
      { task_id: id, terminate: true, destination: [hostname] },
      pythonEnv,
      { script: 'control.py' },
    );
    expect(replies).toEqual({
      replies: [{ [hostname]: { ok: `tasks ${id} flagged as revoked` } }],
    });
    const outcome = await pythonGet(id);
    expect(outcome.error).toMatchObject({ type: 'TaskRevokedError' });
  });
});
