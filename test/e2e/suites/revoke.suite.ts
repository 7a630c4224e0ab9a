import type { INestApplication } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import {
  ResultRepository,
  RevokedRepository,
  type TaskMeta,
} from '@celeriac/results';
import { TaskProducer } from '@celeriac/tasks';
import { bootWorker, useEnvironment } from '../../utils/boot-apps';
import { broadcastControl } from '../../utils/control';
import { pollUntil } from '../../utils/poll-until';
import { deleteQueue } from '../../utils/rabbitmq';
import {
  observed,
  SEMANTICS_CHILD_MODULE,
  SemanticsTasksModule,
} from '../../utils/semantics-tasks.module';
import {
  BOOT_TIMEOUT_MS,
  TEARDOWN_TIMEOUT_MS,
  teardown,
} from '../../utils/teardown';
import {
  CHILD_BOOT_MS,
  isAlive,
  poolChildIds,
  type PoolUnderTest,
  WARM_UP_MS,
} from '../../utils/worker-pools';

const READY = ['SUCCESS', 'FAILURE', 'REVOKED'];

/**
 * Revoke through Celery's remote control with the worker in `pool`
 * (revoke*.e2e-spec.ts). In a pool, terminate kills the child running the
 * task and a fresh one takes its slot.
 */
export function revokeSuite(pool: PoolUnderTest): void {
  const inPool = pool !== 'event-loop';
  // A task in a pool may have to wait for a fresh child.
  const waitMs = inPool ? CHILD_BOOT_MS : 15_000;
  const queue = `test-revoke-${pool}-${randomUUID()}`;
  useEnvironment({
    TASK_DEFAULT_QUEUE: queue,
    WORKER_QUEUES: queue,
    // One slot: a terminated task must free it for the next one to run.
    WORKER_CONCURRENCY: '1',
    WORKER_POOL: pool,
    WORKER_HOSTNAME: `revoke-${randomUUID()}@test`,
    TASK_TIME_SCALE: '0',
    RESULT_EXPIRES: '300',
  });

  describe(`revoke through Celery remote control (WORKER_POOL=${pool})`, () => {
    let worker: INestApplication;
    const boot = () =>
      bootWorker({
        imports: [SemanticsTasksModule],
        childModules: [SEMANTICS_CHILD_MODULE],
      });
    const results = () => worker.get(ResultRepository);
    const send = async (task: string, args: unknown[], taskId = randomUUID()) =>
      (await worker.get(TaskProducer).sendTask(task, { args, taskId })).taskId;
    const finalMeta = (id: string, timeoutMs = waitMs) =>
      pollUntil(
        () => results().getTaskMeta(id),
        (meta: TaskMeta | null) => READY.includes(meta?.status ?? ''),
        { timeoutMs },
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
      worker = await boot();
      if (inPool) {
        // Its child booted, so the task below runs in it, not waits for it.
        const warmUp = await send('sleepy_task', [0]);
        expect(await finalMeta(warmUp, WARM_UP_MS)).toMatchObject({
          status: 'SUCCESS',
        });
      }
    }, BOOT_TIMEOUT_MS);

    afterAll(
      () =>
        teardown(
          () => worker?.close(),
          () => deleteQueue(queue),
          () => observed.clear(),
        ),
      TEARDOWN_TIMEOUT_MS,
    );

    if (!inPool) {
      // Admission: decided before a task reaches any pool.
      it('never runs a task revoked before it arrives: REVOKED', async () => {
        const id = randomUUID();
        await revoke(id);
        await send('sleepy_task', [0], id);
        expect(await finalMeta(id)).toMatchObject({
          status: 'REVOKED',
          result: { exc_type: 'TaskRevokedError', exc_message: ['revoked'] },
        });
        expect(observed.ran(id)).toBe(false);
      });
    }

    it('terminates a running task: REVOKED, and its slot runs the next task', async () => {
      const id = await send('sleepy_task', [30]);
      await pollUntil(
        () => results().getTaskMeta(id),
        (meta) => meta?.status === 'STARTED',
        { timeoutMs: waitMs },
      );
      const childrenBefore = poolChildIds(worker);
      await revoke(id, true);
      expect(await finalMeta(id)).toMatchObject({
        status: 'REVOKED',
        result: { exc_message: ['terminated'] },
      });
      const next = await send('sleepy_task', [0]);
      expect(await finalMeta(next)).toMatchObject({ status: 'SUCCESS' });
      if (inPool) {
        // The child that ran it was killed; a fresh one ran the next task.
        expect(childrenBefore).toHaveLength(1);
        const childrenAfter = poolChildIds(worker);
        expect(childrenAfter).toHaveLength(1);
        expect(childrenAfter).not.toEqual(childrenBefore);
        if (pool === 'processes') {
          expect(isAlive(childrenBefore[0])).toBe(false);
        }
      }
    });

    if (!inPool) {
      it('refuses a revoked id on a worker started after the revoke', async () => {
        const id = randomUUID();
        await revoke(id);
        await worker.close();
        worker = await boot();

        await send('sleepy_task', [0], id);
        expect(await finalMeta(id)).toMatchObject({ status: 'REVOKED' });
        expect(observed.ran(id)).toBe(false);
      });
    }
  });
}
