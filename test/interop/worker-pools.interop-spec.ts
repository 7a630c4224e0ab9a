// WORKER_POOL processes / threads against Python Celery's app.control: the
// hard time limit and revoke(terminate=True) end the child running the task,
// the worker's own loop answers ping while every child is busy, a child
// killed with kill -9 has its task redelivered and is replaced, and children
// end with a worker killed with kill -9.
import { type Channel, type ChannelModel, connect } from 'amqplib';
import { Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';
import {
  buildTaskMessage,
  declareTaskQueue,
  encodeTaskMessage,
} from '@celeriac/broker';
import { ResultRepository, type TaskMeta } from '@celeriac/results';
import { pollUntil } from '../utils/poll-until';
import { deleteQueue, TEST_BROKER_URL } from '../utils/rabbitmq';
import { TEST_REDIS_CONNECTION } from '../utils/redis';
import { BOOT_TIMEOUT_MS, TEARDOWN_TIMEOUT_MS } from '../utils/teardown';
import { WorkerProcess } from '../utils/worker-process';
import { runPython } from './utils/python';

const READY = ['SUCCESS', 'FAILURE', 'REVOKED'];
/** Generous: a child's boot is a Nest app's, on a shared 2-core machine. */
const CHILD_BOOT_MS = 45_000;

interface PoolInfo {
  implementation: string;
  'max-concurrency': number;
  processes?: number[];
  'thread-ids'?: number[];
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe.each(['processes', 'threads'] as const)('WORKER_POOL=%s', (pool) => {
  const queue = `test-pools-${pool}-${randomUUID()}`;
  const node = `celeriac-pools-${randomUUID()}@interop`;
  const env = { INTEROP_QUEUE: queue };
  let worker: WorkerProcess;
  let connection: ChannelModel;
  let channel: Channel;
  let redis: Redis;
  let results: ResultRepository;

  const send = (
    task: string,
    args: unknown[],
    options: { timeLimit?: number } = {},
  ) => {
    const id = randomUUID();
    const { content, options: publish } = encodeTaskMessage(
      buildTaskMessage({ task, id, args, ...options }),
    );
    channel.publish('', queue, content, publish);
    return id;
  };
  const meta = (id: string) => results.getTaskMeta(id);
  const started = (id: string) =>
    pollUntil(
      () => meta(id),
      (found) => found?.status === 'STARTED',
    );
  const finalMeta = (id: string, timeoutMs = 20_000) =>
    pollUntil(
      () => meta(id),
      (found: TaskMeta | null) => READY.includes(found?.status ?? ''),
      { timeoutMs },
    );
  const control = <T>(command: string, params: Record<string, unknown>) =>
    runPython<{ replies: T }>(command, params, env, {
      script: 'control.py',
    });
  const poolInfo = async (): Promise<PoolInfo> => {
    const { replies } = await control<Record<string, { pool: PoolInfo }>[]>(
      'broadcast',
      { command: 'stats', reply: true, destination: [node], timeout: 2 },
    );
    const reply = replies.find((entry) => node in entry);
    if (!reply) {
      throw new Error(`no stats reply from ${node}`);
    }
    return reply[node].pool;
  };
  const childIds = (info: PoolInfo) =>
    (pool === 'processes' ? info.processes : info['thread-ids']) ?? [];
  /** Children listed, and (for processes) alive. */
  const fullPool = () =>
    pollUntil(
      () => poolInfo(),
      (info) =>
        childIds(info).length === 2 &&
        (pool === 'threads' || childIds(info).every(isAlive)),
      { timeoutMs: CHILD_BOOT_MS, intervalMs: 200 },
    );

  beforeAll(async () => {
    connection = await connect(TEST_BROKER_URL);
    channel = await connection.createChannel();
    await declareTaskQueue(channel, queue);
    redis = new Redis(TEST_REDIS_CONNECTION);
    results = new ResultRepository(redis, { expiresSeconds: 300 });
    worker = await WorkerProcess.start({
      WORKER_POOL: pool,
      WORKER_HOSTNAME: node,
      WORKER_QUEUES: queue,
      TASK_DEFAULT_QUEUE: queue,
      WORKER_CONCURRENCY: '2',
      WORKER_SHUTDOWN_TIMEOUT: '2',
      RESULT_EXPIRES: '300',
      // add_task reports PROGRESS each of its 20 steps (50 ms each here).
      TASK_TIME_SCALE: '0.05',
      LOG_LEVEL: 'info',
    });
    // Both children up (a child boots the task module: seconds on a
    // loaded machine): each answers a task.
    const warmUp = [send('fib_task', [10]), send('fib_task', [10])];
    for (const id of warmUp) {
      expect((await finalMeta(id, CHILD_BOOT_MS))?.status).toBe('SUCCESS');
    }
  }, BOOT_TIMEOUT_MS);

  afterAll(async () => {
    // A warm shutdown: the pool ends its children before the worker exits.
    await worker?.stop();
    await deleteQueue(queue);
    await channel?.close();
    await connection?.close();
    redis?.disconnect();
  }, TEARDOWN_TIMEOUT_MS);

  it('inspect stats shows the pool as Celery does', async () => {
    const info = await fullPool();
    expect(info).toMatchObject({
      implementation:
        pool === 'processes'
          ? 'celery.concurrency.prefork:TaskPool'
          : 'celery.concurrency.thread:TaskPool',
      'max-concurrency': 2,
    });
    expect(childIds(info)).toHaveLength(2);
    expect(childIds(info)).not.toContain(worker.pid);
  });

  it("a Python chain add_task | sum_multiply_task: the child's progress is stored, the worker publishes the next step", async () => {
    const { id, parent_id: first } = await runPython<{
      id: string;
      parent_id: string;
    }>('chain', { a: 2, b: 3, queue }, env);
    const progressing = await pollUntil(
      () => meta(first),
      (found) => found?.status === 'PROGRESS',
      { timeoutMs: CHILD_BOOT_MS, intervalMs: 20 },
    );
    expect(progressing).toMatchObject({
      status: 'PROGRESS',
      result: { total: 20 },
    });
    expect(await finalMeta(id)).toMatchObject({
      status: 'SUCCESS',
      result: [10, 15],
    });
  });

  it('spin_task(30) with time_limit=2: FAILURE TimeLimitExceeded within 4 s, its child is gone, the next task succeeds', async () => {
    const before = childIds(await fullPool());
    const id = send('spin_task', [30], { timeLimit: 2 });
    await started(id);
    const startedAt = Date.now();
    const failed = await finalMeta(id, 8000);
    const took = Date.now() - startedAt;

    expect(failed).toMatchObject({
      status: 'FAILURE',
      result: {
        exc_type: 'TimeLimitExceeded',
        exc_message: [2],
        exc_module: 'celery.exceptions',
      },
    });
    expect(took).toBeLessThan(4000);
    const after = childIds(await fullPool());
    const gone = before.filter((child) => !after.includes(child));
    expect(gone).toHaveLength(1);
    if (pool === 'processes') {
      expect(isAlive(gone[0])).toBe(false);
    }
    const next = send('fib_task', [15]);
    expect(await finalMeta(next)).toMatchObject({
      status: 'SUCCESS',
      result: 610,
    });
  });

  it("revoke(terminate=True) from Python's app.control stops a running spin_task", async () => {
    const before = childIds(await fullPool());
    const id = send('spin_task', [30]);
    await started(id);
    const startedAt = Date.now();

    await control('revoke', {
      task_id: id,
      terminate: true,
      destination: [node],
    });

    expect(await finalMeta(id, 8000)).toMatchObject({
      status: 'REVOKED',
      result: { exc_type: 'TaskRevokedError', exc_message: ['terminated'] },
    });
    expect(Date.now() - startedAt).toBeLessThan(10_000);
    const after = childIds(await fullPool());
    const gone = before.filter((child) => !after.includes(child));
    expect(gone).toHaveLength(1);
    if (pool === 'processes') {
      expect(isAlive(gone[0])).toBe(false);
    }
  });

  it("Python's app.control.ping(timeout=1) is answered while both slots run spin_task", async () => {
    const spins = [send('spin_task', [3]), send('spin_task', [3])];
    for (const id of spins) {
      await started(id);
    }
    const { replies } = await control<Record<string, unknown>[]>('ping', {
      destination: [node],
      timeout: 1,
    });
    expect(replies).toEqual([{ [node]: { ok: 'pong' } }]);
    // Both still running when the pong came: the pool was busy.
    for (const id of spins) {
      expect((await meta(id))?.status).toBe('STARTED');
    }
    for (const id of spins) {
      expect(await finalMeta(id)).toMatchObject({
        status: 'SUCCESS',
        result: 3,
      });
    }
  });

  if (pool === 'processes') {
    it('a child killed with kill -9 mid-task: the task is redelivered and succeeds, the pool is full again', async () => {
      const before = childIds(await fullPool());
      const id = send('spin_task', [2]);
      await started(id);
      // Which child took it is not known from outside: end both.
      for (const pid of before) {
        process.kill(pid, 'SIGKILL');
      }

      expect(await finalMeta(id, CHILD_BOOT_MS)).toMatchObject({
        status: 'SUCCESS',
        result: 2,
      });
      const after = childIds(await fullPool());
      expect(after).toHaveLength(2);
      expect(after.some((pid) => before.includes(pid))).toBe(false);
      expect(worker.running).toBe(true);
    }, 100_000);

    // Last: it ends the suite's worker.
    it('the worker killed with kill -9 while its children spin: the children do not outlive it', async () => {
      const children = childIds(await fullPool());
      const spins = [send('spin_task', [30]), send('spin_task', [30])];
      for (const id of spins) {
        // The children replaced in the test before may still be booting.
        expect(
          await pollUntil(
            () => meta(id),
            (found) => found?.status === 'STARTED',
            { timeoutMs: CHILD_BOOT_MS },
          ),
        ).toMatchObject({ status: 'STARTED' });
      }
      worker.signal('SIGKILL');
      await worker.exited;

      const alive = await pollUntil(
        () => Promise.resolve(children.filter(isAlive)),
        (left) => left.length === 0,
        { timeoutMs: 5000 },
      );
      expect(alive).toEqual([]);
    });
  }
});
