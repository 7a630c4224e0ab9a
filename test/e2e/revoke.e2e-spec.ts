import type { INestApplication } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import {
  ResultRepository,
  RevokedRepository,
  type TaskMeta,
} from '@celeriac/results';
import { TaskProducer } from '@celeriac/tasks';
import { bootWorker, useEnvironment } from '../utils/boot-apps';
import { broadcastControl } from '../utils/control';
import { pollUntil } from '../utils/poll-until';
import { deleteQueue } from '../utils/rabbitmq';
import {
  observed,
  SemanticsTasksModule,
} from '../utils/semantics-tasks.module';
import {
  BOOT_TIMEOUT_MS,
  TEARDOWN_TIMEOUT_MS,
  teardown,
} from '../utils/teardown';

const queue = `test-revoke-${randomUUID()}`;
useEnvironment({
  TASK_DEFAULT_QUEUE: queue,
  WORKER_QUEUES: queue,
  // One slot: a terminated task must free it for the next one to run.
  WORKER_CONCURRENCY: '1',
  WORKER_HOSTNAME: `revoke-${randomUUID()}@test`,
  TASK_TIME_SCALE: '0',
  RESULT_EXPIRES: '300',
});

const READY = ['SUCCESS', 'FAILURE', 'REVOKED'];

describe('revoke through Celery remote control', () => {
  let worker: INestApplication;
  const results = () => worker.get(ResultRepository);
  const send = async (task: string, args: unknown[], taskId = randomUUID()) =>
    (await worker.get(TaskProducer).sendTask(task, { args, taskId })).taskId;
  const finalMeta = (id: string) =>
    pollUntil(
      () => results().getTaskMeta(id),
      (meta: TaskMeta | null) => READY.includes(meta?.status ?? ''),
    );
  const revoke = async (id: string, terminate = false) => {
    await broadcastControl('revoke', {
      task_id: id,
      terminate,
      signal: 'SIGTERM',
    });
    await pollUntil(
      () => worker.get(RevokedRepository).isRevoked(id),
      (revoked) => revoked,
    );
  };

  beforeAll(async () => {
    worker = await bootWorker({ imports: [SemanticsTasksModule] });
  }, BOOT_TIMEOUT_MS);

  afterAll(
    () =>
      teardown(
        () => worker?.close(),
        () => deleteQueue(queue),
      ),
    TEARDOWN_TIMEOUT_MS,
  );

  it('never runs a task revoked before it arrives: REVOKED', async () => {
    const id = randomUUID();
    await revoke(id);
    await send('sleepy_task', [0], id);
    expect(await finalMeta(id)).toMatchObject({
      status: 'REVOKED',
      result: { exc_type: 'TaskRevokedError', exc_message: ['revoked'] },
    });
    expect(observed.ran.has(id)).toBe(false);
  });

  it('terminates a running task: REVOKED, and its slot runs the next task', async () => {
    const id = await send('sleepy_task', [30]);
    await pollUntil(
      () => results().getTaskMeta(id),
      (meta) => meta?.status === 'STARTED',
    );
    await revoke(id, true);
    expect(await finalMeta(id)).toMatchObject({
      status: 'REVOKED',
      result: { exc_message: ['terminated'] },
    });
    const next = await send('sleepy_task', [0]);
    expect(await finalMeta(next)).toMatchObject({ status: 'SUCCESS' });
  });

  it('refuses a revoked id on a worker started after the revoke', async () => {
    const id = randomUUID();
    await revoke(id);
    await worker.close();
    worker = await bootWorker({ imports: [SemanticsTasksModule] });

    await send('sleepy_task', [0], id);
    expect(await finalMeta(id)).toMatchObject({ status: 'REVOKED' });
    expect(observed.ran.has(id)).toBe(false);
  });
});
