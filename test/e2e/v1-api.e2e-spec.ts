import { jest } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { InteropTasksModule } from '../interop/utils/interop-tasks.module';
import { bootApi, bootWorker, useEnvironment } from '../utils/boot-apps';
import { CeleryClient, type TaskMessage } from '@celeriac/broker';
import {
  LINKED_WORKFLOWS,
  NESTED_WORKFLOWS,
  runWorkflow,
} from '../utils/nested-workflows';
import { pollUntil } from '../utils/poll-until';
import { deleteQueue } from '../utils/rabbitmq';
import {
  BOOT_TIMEOUT_MS,
  TEARDOWN_TIMEOUT_MS,
  teardown,
} from '../utils/teardown';

const queue = `test-v1-${randomUUID()}`;
useEnvironment({
  TASK_DEFAULT_QUEUE: queue,
  WORKER_QUEUES: queue,
  WORKER_CONCURRENCY: '4',
  // add_task takes 2 s, with PROGRESS each 0.1 s.
  TASK_TIME_SCALE: '0.1',
  RESULT_EXPIRES: '300',
  WORKER_SHUTDOWN_TIMEOUT: '1',
});

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('the public /v1 task API against a real worker', () => {
  let api: INestApplication;
  let worker: INestApplication;
  const http = () => request(api.getHttpServer());
  const submit = (body: Record<string, unknown>) =>
    http().post('/v1/tasks').send(body);
  const waitFor = async (id: string): Promise<Record<string, unknown>> => {
    const response = await http().get(`/v1/tasks/${id}?wait=20`).expect(200);
    return response.body as Record<string, unknown>;
  };

  beforeAll(async () => {
    api = await bootApi({ imports: [InteropTasksModule] });
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

  it('submits a task (202 + status_url) and waits for its terminal state', async () => {
    const submitted = await submit({ task: 'multi_task', args: [6, 7] }).expect(
      202,
    );
    expect(submitted.body).toEqual({
      task_id: expect.stringMatching(UUID),
      status_url: `/v1/tasks/${submitted.body.task_id}`,
    });
    const view = await waitFor(submitted.body.task_id);
    expect(view).toMatchObject({
      task_id: submitted.body.task_id,
      status: 'SUCCESS',
      ready: true,
      result: 42,
      name: 'multi_task',
      args: [6, 7],
      kwargs: {},
      retries: 0,
      worker: expect.stringMatching(/@/),
      date_done: expect.any(String),
      children: [],
    });
  });

  it('binds kwargs and honours expires: a past expiry is REVOKED unrun', async () => {
    const bound = await submit({
      task: 'add_task',
      kwargs: { a: 1, b: 2 },
    }).expect(202);
    const expired = await submit({
      task: 'multi_task',
      args: [1, 2],
      countdown: 1,
      expires: 0,
    }).expect(202);
    expect((await waitFor(bound.body.task_id)).result).toBe(3);
    expect(await waitFor(expired.body.task_id)).toMatchObject({
      status: 'REVOKED',
      error: { type: 'TaskRevokedError', message: 'expired' },
    });
  });

  it('refuses an unregistered task with 422, unless ?unchecked=true', async () => {
    const refused = await submit({ task: 'python_only_task' }).expect(422);
    expect(refused.headers['content-type']).toContain(
      'application/problem+json',
    );
    expect(refused.body).toMatchObject({
      status: 422,
      code: 'TASK_NOT_REGISTERED',
    });
    const sent = await http()
      .post('/v1/tasks?unchecked=true')
      .send({ task: 'python_only_task', queue: `${queue}-python` })
      .expect(202);
    expect(sent.body.task_id).toMatch(UUID);
    await deleteQueue(`${queue}-python`);
  });

  it('answers invalid submissions with field errors', async () => {
    const response = await submit({
      task: 'add task!',
      args: 'nope',
      countdown: -1,
      surprise: true,
    }).expect(400);
    const fields = (response.body.errors as { field: string }[]).map(
      (e) => e.field,
    );
    expect(fields).toEqual(
      expect.arrayContaining(['task', 'args', 'countdown', 'surprise']),
    );
  });

  it('returns with the current state after ?wait when the task is not done', async () => {
    const submitted = await submit({ task: 'add_task', args: [1, 1] }).expect(
      202,
    );
    const view = (
      await http()
        .get(`/v1/tasks/${submitted.body.task_id}?wait=0.2`)
        .expect(200)
    ).body;
    expect(['PENDING', 'STARTED', 'PROGRESS']).toContain(view.status);
    expect(view.ready).toBe(false);
    await http().get(`/v1/tasks/${submitted.body.task_id}?wait=61`).expect(400);
  });

  it('streams PENDING, STARTED, PROGRESS and SUCCESS as Server-Sent Events, in order', async () => {
    // A short countdown keeps it PENDING until the stream is open.
    const submitted = await submit({
      task: 'add_task',
      args: [20, 22],
      countdown: 0.5,
    }).expect(202);
    const stream = await http()
      .get(`/v1/tasks/${submitted.body.task_id}/events`)
      .buffer(true)
      .parse((response, callback) => {
        let text = '';
        response.on('data', (chunk: Buffer) => (text += chunk.toString()));
        response.on('end', () => callback(null, text));
      })
      .expect(200);
    expect(stream.headers['content-type']).toContain('text/event-stream');
    const events = (stream.body as string)
      .split('\n')
      .filter((line) => line.startsWith('event: '))
      .map((line) => line.slice('event: '.length));
    const firsts = events.filter(
      (event, index) => events.indexOf(event) === index,
    );
    expect(firsts).toEqual(['PENDING', 'STARTED', 'PROGRESS', 'SUCCESS']);
    expect(stream.body).toContain('"result":42');
  });

  it('runs a nested workflow: a chain whose middle group becomes a chord, then one more task', async () => {
    const submitted = await http()
      .post('/v1/workflows')
      .send({
        chain: [
          { task: 'add_task', args: [2, 3] },
          {
            group: [
              { task: 'multi_task', args: [2] },
              { task: 'multi_task', args: [3] },
            ],
          },
          { task: 'sum_task' },
          { task: 'multi_task', args: [2] },
        ],
      })
      .expect(202);
    expect(submitted.body).toMatchObject({
      task_id: expect.stringMatching(UUID),
      group_ids: [expect.stringMatching(UUID)],
    });
    expect(submitted.body.task_ids).toHaveLength(5);
    // (2 + 3) -> [5 * 2, 5 * 3] -> 25 -> 50
    expect(await waitFor(submitted.body.task_id)).toMatchObject({
      status: 'SUCCESS',
      result: 50,
    });
  });

  it.each(NESTED_WORKFLOWS)(
    "runs $name submitted as a workflow, with Celery's result",
    async ({ body, result, group }) => {
      expect(await runWorkflow(api, body, group)).toEqual(result);
    },
  );

  describe('callbacks and errbacks', () => {
    // What the worker publishes: errbacks have no id a caller could know.
    let published: TaskMessage[];
    beforeEach(() => {
      published = [];
      const client = worker.get(CeleryClient);
      const publish = client.publishTask.bind(client);
      const publishAll = client.publishTasks.bind(client);
      jest
        .spyOn(client, 'publishTask')
        .mockImplementation((message: TaskMessage, ...rest) => {
          published.push(message);
          return publish(message, ...rest);
        });
      // A plan's messages go out as one batch.
      jest.spyOn(client, 'publishTasks').mockImplementation((requests) => {
        published.push(...requests.map(({ message }) => message));
        return publishAll(requests);
      });
    });
    afterEach(() => jest.restoreAllMocks());
    const submitWorkflow = async (body: Record<string, unknown>) =>
      (await http().post('/v1/workflows').send(body).expect(202)).body as {
        task_id: string;
        task_ids: string[];
      };
    const errbacksFor = (failedId: string) =>
      pollUntil(
        () =>
          Promise.resolve(
            published.filter(
              ({ headers, args }) =>
                headers.task === 'errback_task' && args[0] === failedId,
            ),
          ),
        (found) => found.length > 0,
      );

    it("runs a link: the task's child gets its result, as Celery's", async () => {
      const { task_id: id } = await submitWorkflow(LINKED_WORKFLOWS.link);

      const done = await waitFor(id);
      expect(done.children).toHaveLength(1);
      const callback = await waitFor((done.children as string[])[0]);
      expect(callback.result).toBe(LINKED_WORKFLOWS.linkResult);
    });

    it("runs a link_error with the failed task's id", async () => {
      const { task_id: id } = await submitWorkflow(LINKED_WORKFLOWS.linkError);

      const [errback] = await errbacksFor(id);
      expect((await waitFor(errback.headers.id)).result).toBe(
        `errback for ${id}`,
      );
    });

    it("fails a chord whose header failed with Celery's ChordError and runs the body's errback only (TASK_ALLOW_ERROR_CB_ON_CHORD_HEADER unset)", async () => {
      const { task_id: id, task_ids: ids } = await submitWorkflow(
        LINKED_WORKFLOWS.chordHeaderFails,
      );

      expect(await waitFor(id)).toMatchObject({
        status: 'FAILURE',
        error: LINKED_WORKFLOWS.chordError(ids[1]),
      });
      const [errback] = await errbacksFor(id);
      expect((await waitFor(errback.headers.id)).result).toBe(
        `errback for ${id}`,
      );
      expect(
        published.filter(({ headers }) => headers.task === 'errback_task'),
      ).toHaveLength(1);
    });
  });

  it('runs a group and a chord submitted as workflows', async () => {
    const group = await http()
      .post('/v1/workflows')
      .send({
        group: [
          { task: 'multi_task', args: [2, 3] },
          { task: 'add_task', args: [2, 3] },
        ],
      })
      .expect(202);
    const groupId = group.body.group_ids[0];
    const done = await pollUntil(
      () => http().get(`/v1/groups/${groupId}`),
      (response) => response.body.ready === true,
    );
    expect(done.body.results.map((r: { result: unknown }) => r.result)).toEqual(
      [6, 5],
    );

    const chord = await http()
      .post('/v1/workflows')
      .send({
        chord: {
          header: [
            { task: 'multi_task', args: [1, 2] },
            { task: 'multi_task', args: [3, 4] },
          ],
          body: { task: 'sum_task' },
        },
      })
      .expect(202);
    expect((await waitFor(chord.body.task_id)).result).toBe(14);
  });

  it.each([
    ['a non-object', [1, 2], 'body'],
    ['an empty chain', { chain: [] }, 'body.chain'],
    ['a leaf without task', { chain: [{ args: [1] }] }, 'body.chain[0].task'],
    [
      'a nested bad link',
      { group: [{ group: [{ task: 'add_task', link: { task: 3 } }] }] },
      'body.group[0].group[0].link.task',
    ],
    [
      'an unknown option',
      { task: 'add_task', options: { queue: 'q', retries: 3 } },
      'body.options.retries',
    ],
  ])(
    'refuses %s as a workflow with a 400 naming the place',
    async (_case, body, field) => {
      const response = await http()
        .post('/v1/workflows')
        .send(body)
        .expect(400);
      expect(response.body.code).toBe('WORKFLOW_INVALID');
      expect(
        response.body.errors.map((e: { field: string }) => e.field),
      ).toContain(field);
    },
  );

  it('refuses a workflow nested deeper than 32 levels', async () => {
    let node: Record<string, unknown> = { task: 'add_task', args: [1, 2] };
    for (let depth = 0; depth < 40; depth++) {
      node = { chain: [node] };
    }
    const response = await http().post('/v1/workflows').send(node).expect(400);
    expect(response.body.code).toBe('WORKFLOW_INVALID');
  });

  it('revokes with terminate: a running task ends REVOKED', async () => {
    const submitted = await submit({ task: 'sleep_task', args: [30] }).expect(
      202,
    );
    await pollUntil(
      () => http().get(`/v1/tasks/${submitted.body.task_id}`),
      (response) => response.body.status === 'STARTED',
    );
    const revoked = await http()
      .post(`/v1/tasks/${submitted.body.task_id}/revoke`)
      .send({ terminate: true })
      .expect(202);
    expect(revoked.body).toEqual({
      task_id: submitted.body.task_id,
      revoked: true,
      terminate: true,
    });
    expect(await waitFor(submitted.body.task_id)).toMatchObject({
      status: 'REVOKED',
      error: { message: 'terminated' },
    });
    await http().post(`/v1/tasks/${randomUUID()}/revoke`).send({}).expect(404);
  });

  it('lists the registry', async () => {
    const listed = await http().get('/v1/tasks').expect(200);
    expect(listed.body).toEqual(
      expect.arrayContaining([
        {
          name: 'add_task',
          queue,
          params: ['a', 'b'],
          description: 'a + b (20 s)',
        },
        expect.objectContaining({ name: 'sum_task', params: ['values'] }),
      ]),
    );
  });

  it('answers 404 problems for unknown ids and unknown routes', async () => {
    await http().get(`/v1/tasks/${randomUUID()}`).expect(404);
    await http().get(`/v1/groups/${randomUUID()}`).expect(404);
    const route = await http().get('/v1/nothing-here').expect(404);
    expect(route.headers['content-type']).toContain('application/problem+json');
  });
});
