// Python Celery 5.2.6 and celeriac on the same quorum queues
// (TASK_QUEUE_TYPE=quorum; Python declares them with queue_arguments
// x-queue-type: quorum): identical declarations, so neither gets a 406.
import type { INestApplication } from '@nestjs/common';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import request from 'supertest';
import { bootApi, bootWorker, useEnvironment } from '../utils/boot-apps';
import { pollUntil } from '../utils/poll-until';
import { deleteQueue, TEST_VHOST } from '../utils/rabbitmq';
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

const queue = `interop-quorum-${randomUUID()}`;
const pythonQueue = `interop-quorum-py-${randomUUID()}`;
useEnvironment({
  TASK_DEFAULT_QUEUE: queue,
  WORKER_QUEUES: queue,
  WORKER_HOSTNAME: `celeriac-${randomUUID()}@interop`,
  TASK_QUEUE_TYPE: 'quorum',
  TASK_TIME_SCALE: '0',
  RESULT_EXPIRES: '300',
});
const pythonEnv: PythonEnv = {
  INTEROP_QUEUE: queue,
  INTEROP_QUEUE_TYPE: 'quorum',
  TASK_TIME_SCALE: '0',
};

/** The shared broker's queue types, read-only. */
async function queueType(name: string): Promise<string | undefined> {
  const { stdout } = await promisify(execFile)('rabbitmqctl', [
    '-q',
    'list_queues',
    '-p',
    TEST_VHOST,
    'name',
    'type',
  ]);
  return stdout
    .split('\n')
    .map((line) => line.split('\t'))
    .find(([listed]) => listed === name)?.[1];
}

describe('Python Celery 5.2.6 and celeriac on quorum queues', () => {
  let api: INestApplication | undefined;
  let worker: INestApplication | undefined;
  let pythonWorker: PythonWorker | undefined;
  const python = <T = Record<string, unknown>>(
    command: string,
    params: Record<string, unknown>,
  ) => runPython<T>(command, params, pythonEnv);
  const pythonGet = (id: string) =>
    python<{ result?: unknown }>('get', { id, timeout: 10 });

  beforeAll(async () => {
    api = await bootApi();
    worker = await bootWorker();
    pythonWorker = await startPythonWorker({
      queue: pythonQueue,
      env: { TASK_TIME_SCALE: '0', INTEROP_QUEUE_TYPE: 'quorum' },
    });
  }, BOOT_TIMEOUT_MS);

  afterAll(
    () =>
      teardown(
        () => pythonWorker?.stop(),
        () => worker?.close(),
        () => api?.close(),
        () => deleteQueue(queue),
        () => deleteQueue(pythonQueue),
      ),
    TEARDOWN_TIMEOUT_MS,
  );

  it("a Python send_task runs on celeriac's worker, on a quorum queue", async () => {
    const { id } = await python<{ id: string }>('send_task', {
      name: 'add_task',
      args: [2, 3],
      queue,
    });

    expect(await pythonGet(id)).toMatchObject({ result: 5 });
    expect(await queueType(queue)).toBe('quorum');
  });

  it('a Python chain runs on the quorum queue: [10, 15]', async () => {
    const { id } = await python<{ id: string }>('chain', { a: 2, b: 3, queue });

    expect(await pythonGet(id)).toMatchObject({ result: [10, 15] });
  });

  it('a Python group runs on the quorum queue: [3, 12]', async () => {
    const { group_id: groupId } = await python<{ group_id: string }>(
      'group_save',
      { queue },
    );

    expect(
      await python('group_restore_get', { group_id: groupId, timeout: 10 }),
    ).toMatchObject({ result: [3, 12] });
  });

  it("a Python 5.2.6 worker runs what celeriac's api publishes to its quorum queue", async () => {
    const submitted = await request(api!.getHttpServer())
      .post('/v1/tasks')
      .send({ task: 'add_task', args: [20, 22], queue: pythonQueue });
    expect(submitted.status).toBe(202);
    const id = submitted.body.task_id as string;

    expect(await pythonGet(id)).toMatchObject({ result: 42 });
    const ran = await pollUntil(
      () => Promise.resolve(pythonWorker!.output()),
      (output) => output.includes(`Task add_task[${id}] `),
      { timeoutMs: 5_000 },
    );
    expect(ran).toContain(`Task add_task[${id}] `);
    expect(await queueType(pythonQueue)).toBe('quorum');
  });
});
