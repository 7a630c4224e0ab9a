import type { INestApplication } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { ResultRepository, type TaskMeta } from '@celeriac/results';
import { TaskProducer } from '@celeriac/tasks';
import { bootWorker, useEnvironment } from '../../utils/boot-apps';
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
 * Retries, time limits, expiry, ETA and STARTED with the worker in `pool`
 * (worker-semantics*.e2e-spec.ts). In a pool the tasks run in its
 * children: retries, the soft limit's signal and errors cross the pool
 * boundary, and the hard limit kills the child.
 */
export function workerSemanticsSuite(pool: PoolUnderTest): void {
  const inPool = pool !== 'event-loop';
  // A task in a pool may have to wait for a fresh child.
  const waitMs = inPool ? CHILD_BOOT_MS : 15_000;
  const queue = `test-semantics-${pool}-${randomUUID()}`;
  useEnvironment({
    TASK_DEFAULT_QUEUE: queue,
    WORKER_QUEUES: queue,
    WORKER_CONCURRENCY: '2',
    WORKER_POOL: pool,
    TASK_TIME_SCALE: '0',
    RESULT_EXPIRES: '300',
  });

  describe(`a worker running tasks that retry, time out, expire or wait (WORKER_POOL=${pool})`, () => {
    let worker: INestApplication;
    let results: ResultRepository;
    let producer: TaskProducer;
    const send = async (
      task: string,
      args: unknown[] = [],
      options: Parameters<TaskProducer['sendTask']>[1] = {},
    ) => (await producer.sendTask(task, { args, ...options })).taskId;
    const finalMeta = (taskId: string, timeoutMs = waitMs) =>
      pollUntil(
        () => results.getTaskMeta(taskId),
        (meta: TaskMeta | null) => READY.includes(meta?.status ?? ''),
        { timeoutMs },
      );

    beforeAll(async () => {
      worker = await bootWorker({
        imports: [SemanticsTasksModule],
        childModules: [SEMANTICS_CHILD_MODULE],
      });
      results = worker.get(ResultRepository);
      producer = worker.get(TaskProducer);
      if (inPool) {
        // Children booted before the first test times anything.
        const warmUp = [
          await send('sleepy_task', [0]),
          await send('sleepy_task', [0]),
        ];
        for (const id of warmUp) {
          expect(await finalMeta(id, WARM_UP_MS)).toMatchObject({
            status: 'SUCCESS',
          });
        }
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

    it('succeeds after two retries with the same id, retries = 2', async () => {
      const id = await send('flaky_task', [2, 0.05]);
      expect(await finalMeta(id)).toMatchObject({
        status: 'SUCCESS',
        result: 2,
      });
    });

    it('stores RETRY with the error while the retry waits for its countdown', async () => {
      const id = await send('flaky_task', [1, 1]);
      const retrying = await pollUntil(
        () => results.getTaskMeta(id),
        (meta) => meta?.status !== 'PENDING' && meta?.status !== 'STARTED',
        { timeoutMs: waitMs },
      );
      expect(retrying).toMatchObject({
        status: 'RETRY',
        result: { exc_type: 'FlakyError', exc_message: ['attempt 1 failed'] },
        date_done: null,
      });
      expect(await finalMeta(id)).toMatchObject({
        status: 'SUCCESS',
        result: 1,
      });
    });

    it('fails after max_retries with the last error (autoretry_for)', async () => {
      const id = await send('always_failing_task');
      const meta = await finalMeta(id);
      expect(meta).toMatchObject({
        status: 'FAILURE',
        result: { exc_type: 'FlakyError', exc_message: ['attempt 3 failed'] },
      });
    });

    it('fails with the given error once retry() is past max_retries', async () => {
      const id = await send('flaky_task', [10, 0.05]);
      expect(await finalMeta(id)).toMatchObject({
        status: 'FAILURE',
        result: { exc_type: 'FlakyError', exc_message: ['attempt 4 failed'] },
      });
    });

    it('aborts the signal at the soft limit, and the task cleans up', async () => {
      const id = await send('soft_limited_task');
      expect(await finalMeta(id)).toMatchObject({
        status: 'SUCCESS',
        result: 'cleaned up after SoftTimeLimitExceeded',
      });
      expect(observed.cleanedUp(id)).toBe('SoftTimeLimitExceeded');
    });

    it('fails a task at the hard limit with TimeLimitExceeded and reuses its slot', async () => {
      const childrenBefore = poolChildIds(worker);
      // Concurrency 2: two stuck tasks would block the third if their slots
      // were not freed at the hard limit.
      const stuck = [
        await send('hard_limited_task'),
        await send('hard_limited_task'),
      ];
      const next = await send('sleepy_task', [0]);
      for (const id of stuck) {
        expect(await finalMeta(id)).toMatchObject({
          status: 'FAILURE',
          result: {
            exc_type: 'TimeLimitExceeded',
            exc_module: 'celery.exceptions',
          },
        });
      }
      expect(await finalMeta(next)).toMatchObject({
        status: 'SUCCESS',
        result: next,
      });
      if (inPool) {
        // Each stuck task's child was killed and replaced.
        expect(childrenBefore).toHaveLength(2);
        const childrenAfter = poolChildIds(worker);
        expect(childrenAfter).toHaveLength(2);
        expect(
          childrenAfter.filter((child) => childrenBefore.includes(child)),
        ).toEqual([]);
        if (pool === 'processes') {
          expect(childrenBefore.filter(isAlive)).toEqual([]);
        }
      }
    });

    it('honours a per-message hard limit from the timelimit header', async () => {
      const id = await send('sleepy_task', [5], { timeLimit: 0.2 });
      expect(await finalMeta(id)).toMatchObject({
        status: 'FAILURE',
        result: { exc_type: 'TimeLimitExceeded', exc_message: [0.2] },
      });
    });

    if (!inPool) {
      // Admission: decided before a task reaches any pool.
      it('revokes a task whose expires has passed, without running it', async () => {
        const id = await send('sleepy_task', [0], {
          expires: new Date(Date.now() - 1000),
        });
        expect(await finalMeta(id)).toMatchObject({
          status: 'REVOKED',
          result: { exc_type: 'TaskRevokedError', exc_message: ['expired'] },
        });
        expect(observed.ran(id)).toBe(false);
      });

      it('starts a countdown=2 task no earlier than 2 s later, while others flow', async () => {
        const publishedAt = Date.now();
        const delayed = await send('sleepy_task', [0], { countdown: 2 });
        const quick = await send('sleepy_task', [0]);

        expect(await finalMeta(quick)).toMatchObject({ status: 'SUCCESS' });
        expect(observed.ran(delayed)).toBe(false);

        expect(await finalMeta(delayed)).toMatchObject({ status: 'SUCCESS' });
        expect(observed.startedAt(delayed)).toBeGreaterThanOrEqual(
          publishedAt + 2000,
        );
      });
    }

    it('records STARTED with the pid and hostname while a task runs', async () => {
      const id = await send('sleepy_task', [1]);
      const started = await pollUntil(
        () => results.getTaskMeta(id),
        (meta) => meta?.status === 'STARTED',
        { timeoutMs: waitMs },
      );
      expect(started).toMatchObject({
        status: 'STARTED',
        result: { pid: process.pid, hostname: expect.stringMatching(/@/) },
      });
      expect(await finalMeta(id)).toMatchObject({ status: 'SUCCESS' });
    });

    it('stays PENDING while a task with trackStarted: false runs', async () => {
      const id = await send('untracked_task', [1]);
      const running = await pollUntil(
        () => Promise.resolve(observed.startedAt(id) !== undefined),
        (started) => started,
        { timeoutMs: waitMs },
      );
      expect(running).toBe(true);
      expect(await results.getTaskMeta(id)).toMatchObject({
        status: 'PENDING',
      });
      expect(await finalMeta(id)).toMatchObject({
        status: 'SUCCESS',
        result: id,
      });
    });
  });
}
