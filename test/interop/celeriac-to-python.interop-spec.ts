// celeriac sends, a Python Celery worker runs: no celeriac worker here, so
// whatever finishes was run by Python.
import type { INestApplication } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import {
  buildTaskMessage,
  CeleryClient,
  toAmqpHeaders,
} from '@celeriac/broker';
import { chord, link, onError, signature, TaskProducer } from '@celeriac/tasks';
import {
  LINKED_WORKFLOWS,
  NESTED_WORKFLOWS,
  runWorkflow,
} from '../utils/nested-workflows';
import { loadAmqplibCodec } from '../utils/amqplib-codec';
import { bootApi, useEnvironment } from '../utils/boot-apps';
import { awaitResult } from '../utils/await-result';
import { pollUntil } from '../utils/poll-until';
import { deleteQueue } from '../utils/rabbitmq';
import {
  type PythonEnv,
  type PythonWorker,
  runPython,
  startPythonWorker,
} from './utils/python';
import {
  BOOT_TIMEOUT_MS,
  TEARDOWN_TIMEOUT_MS,
  teardown,
} from '../utils/teardown';

const queue = `interop-py-${randomUUID()}`;
useEnvironment({
  TASK_DEFAULT_QUEUE: queue,
  TASK_TIME_SCALE: '0',
  RESULT_EXPIRES: '300',
  // A chord's link_error goes to its header tasks too (Celery 5.3+).
  TASK_ALLOW_ERROR_CB_ON_CHORD_HEADER: 'true',
});
const pythonEnv: PythonEnv = { INTEROP_QUEUE: queue, TASK_TIME_SCALE: '0' };

describe('a Python Celery worker running what celeriac sends', () => {
  let api: INestApplication;
  let pythonWorker: PythonWorker;
  const http = () => request(api.getHttpServer());
  const finished = (path: string) => awaitResult(api, path);
  /** Python's worker log line for a finished task: proof Python ran it. */
  const pythonRan = (task: string, id: string) =>
    pollUntil(
      () => Promise.resolve(pythonWorker.output()),
      (output) => output.includes(`Task ${task}[${id}] `),
      { timeoutMs: 5_000 },
    );

  beforeAll(async () => {
    pythonWorker = await startPythonWorker({
      queue,
      env: { TASK_TIME_SCALE: '0' },
    });
    api = await bootApi();
  }, BOOT_TIMEOUT_MS);

  afterAll(
    () =>
      teardown(
        () => api?.close(),
        () => pythonWorker?.stop(),
        () => deleteQueue(queue),
      ),
    TEARDOWN_TIMEOUT_MS,
  );

  it('(2) runs /solo/add?a=2&b=3 on Python: /result says SUCCESS 5', async () => {
    const published = await http().get('/solo/add?a=2&b=3').expect(200);
    const id: string = published.body.task_id;

    const done = await finished(`/result/${id}`);
    expect(done.status).toBe(200);
    expect(done.body).toEqual({ task_id: id, status: 'SUCCESS', result: 5 });
    expect(await pythonRan('add_task', id)).toMatch(
      new RegExp(`Task add_task\\[${id}\\] succeeded`),
    );
  });

  it("(3b) reports fail_task('boom') raised by Python as 200 FAILURE ValueError: boom", async () => {
    const { taskId } = await api
      .get(TaskProducer)
      .sendTask('fail_task', { args: ['boom'] });

    const done = await finished(`/result/${taskId}`);
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({
      task_id: taskId,
      status: 'FAILURE',
      result: null,
      error: { type: 'ValueError', message: 'boom' },
    });
    // Python's own traceback, not a JS stack.
    expect(done.body.traceback).toContain('raise ValueError(message)');
  });

  it('(4b) runs /solo/chain?a=2&b=3 on Python to [10, 15]', async () => {
    const published = await http().get('/solo/chain?a=2&b=3').expect(200);
    const id: string = published.body.task_id;

    const done = await finished(`/result/${id}`);
    expect(done.status).toBe(200);
    expect(done.body).toEqual({
      task_id: id,
      status: 'SUCCESS',
      result: [10, 15],
    });
    expect(await pythonRan('sum_multiply_task', id)).toMatch(
      new RegExp(`Task sum_multiply_task\\[${id}\\] succeeded`),
    );
  });

  it('(5a) saves /solo/group?a=2&b=3 so that GroupResult.restore(id).get() is [5, 6]', async () => {
    const published = await http().get('/solo/group?a=2&b=3').expect(200);

    const restored = await runPython(
      'group_restore_get',
      { group_id: published.body.group_id, timeout: 10 },
      pythonEnv,
    );
    expect(restored).toEqual({
      result: [5, 6],
      children: published.body.individual_tasks,
    });
  });

  it('(6) publishes integer headers py-amqp reads as ints: retries 200, timelimit [1200, 600]', async () => {
    const id = randomUUID();
    await api.get(CeleryClient).publishTask(
      buildTaskMessage({
        task: 'request_info',
        id,
        retries: 200,
        timeLimit: 1200,
        softTimeLimit: 600,
      }),
      queue,
    );

    const got = await runPython('get', { id, timeout: 10 }, pythonEnv);
    expect(got).toEqual({
      result: { retries: 200, timelimit: [1200, 600] },
      // The repr tells ints from floats (1200.0) and from strings.
      repr: "{'retries': 200, 'timelimit': [1200, 600]}",
    });
  });

  it("(6) would need the int32 wrapping: amqplib alone sends 200 as 's', which py-amqp reads as a string", () => {
    const codec = loadAmqplibCodec();
    const tagOf = (headers: Record<string, unknown>) => {
      const buffer = Buffer.alloc(64);
      codec.encodeTable(buffer, headers, 0);
      // 4-byte table size, 1-byte key length, 'retries', then the type tag.
      return String.fromCharCode(buffer[4 + 1 + 'retries'.length]);
    };

    expect(tagOf({ retries: 200 })).toBe('s');
    expect(tagOf(toAmqpHeaders({ retries: 200 }))).toBe('I');
  });
  it('(7) runs a chord built by celeriac on Python workers: sum_task gets [2, 4]', async () => {
    const { taskId, groupId } = await api
      .get(TaskProducer)
      .applyChord(
        [signature('add_task', [1, 1]), signature('add_task', [2, 2])],
        signature('sum_task'),
      );

    const done = await finished(`/result/${taskId}`);
    expect(done.body).toEqual({
      task_id: taskId,
      status: 'SUCCESS',
      result: 6,
    });
    expect(
      await runPython('get', { id: taskId, timeout: 10 }, pythonEnv),
    ).toEqual({ result: 6, repr: '6' });
    await pythonRan('sum_task', taskId);
    expect(groupId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('(7) fails a celeriac chord on Python when a header task raises', async () => {
    const { taskId } = await api
      .get(TaskProducer)
      .applyChord(
        [signature('add_task', [1, 1]), signature('fail_task', ['boom'])],
        signature('sum_task'),
      );

    const done = await finished(`/result/${taskId}`);
    expect(done.body).toMatchObject({
      task_id: taskId,
      status: 'FAILURE',
      error: { type: 'ChordError' },
    });
    expect(done.body.error.message).toContain('boom');
  });

  it.each(NESTED_WORKFLOWS)(
    'runs $name sent to /v1/workflows on Python workers, with their result',
    async ({ body, result, group }) => {
      expect(await runWorkflow(api, body, group, { unchecked: true })).toEqual(
        result,
      );
    },
  );

  it('runs a link callback and a link_error errback built by celeriac on Python workers', async () => {
    const callbackId = randomUUID();
    const errbackId = randomUUID();
    const producer = api.get(TaskProducer);
    await producer.applyWorkflow(
      link(
        signature('add_task', [1, 2]),
        signature('multi_task', [10], {}, { task_id: callbackId }),
      ),
    );
    const failed = await producer.applyWorkflow(
      onError(
        signature('fail_task', ['boom']),
        signature('errback_task', [], {}, { task_id: errbackId }),
      ),
    );

    expect((await finished(`/result/${callbackId}`)).body.result).toBe(30);
    expect((await finished(`/result/${errbackId}`)).body.result).toBe(
      `errback for ${failed.taskId}`,
    );
  });

  it("fails a celeriac chord on Python with Celery's ChordError text and runs the body's errback", async () => {
    const errbackId = randomUUID();
    const body = signature('sum_task').onError(
      signature('errback_task', [], {}, { task_id: errbackId }),
    );
    const sent = await api
      .get(TaskProducer)
      .applyWorkflow(
        chord(
          [signature('add_task', [1, 1]), signature('fail_task', ['boom'])],
          body,
        ),
      );
    const failedPart = sent.taskIds[1];

    const done = await finished(`/result/${sent.taskId}`);
    expect(done.body.error).toMatchObject({
      type: 'ChordError',
      message: `Dependency ${failedPart} raised ValueError('boom')`,
    });
    expect((await finished(`/result/${errbackId}`)).body.result).toBe(
      `errback for ${sent.taskId}`,
    );
  });

  /** Python's worker log line of a task that returned `value` (its repr). */
  const pythonReturned = (task: string, value: string) =>
    pollUntil(
      () => Promise.resolve(pythonWorker.output()),
      (output) => output.includes(`: ${value}\n`) && output.includes(task),
      { timeoutMs: 15_000 },
    ).then((output) =>
      output
        .split('\n')
        .filter(
          (line) =>
            line.includes(`Task ${task}[`) && line.endsWith(`: ${value}`),
        ),
    );
  const submitWorkflow = async (body: Record<string, unknown>) =>
    (await http().post('/v1/workflows?unchecked=true').send(body).expect(202))
      .body as { task_id: string; task_ids: string[] };

  it("runs a link sent to /v1/workflows on Python: the task's child gets its result", async () => {
    const { task_id: id } = await submitWorkflow(LINKED_WORKFLOWS.link);

    const done = await http().get(`/v1/tasks/${id}?wait=15`).expect(200);
    expect(done.body.children).toHaveLength(1);
    const callback = await http()
      .get(`/v1/tasks/${done.body.children[0]}?wait=15`)
      .expect(200);
    expect(callback.body.result).toBe(LINKED_WORKFLOWS.linkResult);
  });

  it("runs a link_error sent to /v1/workflows on Python with the failed task's id", async () => {
    const { task_id: id } = await submitWorkflow(LINKED_WORKFLOWS.linkError);

    expect(
      await pythonReturned('errback_task', `'errback for ${id}'`),
    ).toHaveLength(1);
  });

  it('fails a chord sent to /v1/workflows on Python with ChordError, and runs its errback for the body and (TASK_ALLOW_ERROR_CB_ON_CHORD_HEADER) the failed header task', async () => {
    const { task_id: id, task_ids: ids } = await submitWorkflow(
      LINKED_WORKFLOWS.chordHeaderFails,
    );

    const done = await finished(`/result/${id}`);
    expect(done.body.error).toMatchObject(LINKED_WORKFLOWS.chordError(ids[1]));
    expect(
      await pythonReturned('errback_task', `'errback for ${id}'`),
    ).toHaveLength(1);
    // The copy on the header: called with the failed task's id, as Celery's.
    expect(
      await pythonReturned('errback_task', `'errback for ${ids[1]}'`),
    ).toHaveLength(1);
    // The header task that succeeded calls nothing.
    expect(pythonWorker.output()).not.toContain(`'errback for ${ids[0]}'`);
  });
});
