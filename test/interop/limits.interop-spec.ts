// Task rate limits and concurrency keys with two celeriac workers (real
// processes), the rate set from Python's app.control.rate_limit.
import { type Channel, type ChannelModel, connect } from 'amqplib';
import { Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';
import {
  buildTaskMessage,
  declareTaskQueue,
  encodeTaskMessage,
} from '@celeriac/broker';
import { ResultRepository, type TaskMeta } from '@celeriac/results';
import { limitHeaders } from '@celeriac/tasks';
import { pollUntil } from '../utils/poll-until';
import { deleteQueue, TEST_BROKER_URL } from '../utils/rabbitmq';
import { TEST_REDIS_CONNECTION } from '../utils/redis';
import { WorkerProcess } from '../utils/worker-process';
import {
  BOOT_TIMEOUT_MS,
  TEARDOWN_TIMEOUT_MS,
  teardown,
} from '../utils/teardown';
import { type PythonEnv, runPython } from './utils/python';

const LEASE_TIMEOUT_SECONDS = 3;

interface Run {
  id: string;
  worker: WorkerProcess;
  start: number;
  /** When it succeeded, or when its worker was killed under it. */
  end: number;
}

describe('rate limits and concurrency keys across two celeriac workers', () => {
  const queue = `interop-limits-${randomUUID()}`;
  const pythonEnv: PythonEnv = { INTEROP_QUEUE: queue };
  let workers: WorkerProcess[] = [];
  let hostnames: string[] = [];
  let connection: ChannelModel;
  let channel: Channel;
  let redis: Redis;
  let results: ResultRepository;

  const startWorkers = async (env: Record<string, string>) => {
    hostnames = [1, 2].map((n) => `limits-${n}-${randomUUID()}@interop`);
    workers = await Promise.all(
      hostnames.map((hostname) =>
        WorkerProcess.start(
          {
            WORKER_QUEUES: queue,
            TASK_DEFAULT_QUEUE: queue,
            WORKER_HOSTNAME: hostname,
            WORKER_CONCURRENCY: '4',
            RESULT_EXPIRES: '300',
            ...env,
          },
          undefined,
          BOOT_TIMEOUT_MS,
        ),
      ),
    );
  };
  const send = (args: unknown[], headers: Record<string, unknown> = {}) => {
    const id = randomUUID();
    const message = buildTaskMessage({ task: 'multi_task', id, args });
    Object.assign(message.headers, headers);
    const { content, options } = encodeTaskMessage(message);
    channel.publish('', queue, content, options);
    return id;
  };
  const allDone = (ids: string[], timeoutMs: number) =>
    pollUntil(
      () => Promise.all(ids.map((id) => results.getTaskMeta(id))),
      (metas: (TaskMeta | null)[]) =>
        metas.every((meta) => meta?.status === 'SUCCESS'),
      { timeoutMs, intervalMs: 50 },
    );
  /** Seconds from `sentAt` until all of `ids` succeeded. */
  const secondsUntilDone = async (ids: string[], sentAt: number) => {
    const metas = await allDone(ids, 30_000);
    expect(metas.map((meta) => meta?.status)).toEqual(ids.map(() => 'SUCCESS'));
    const done = metas.map((meta) => Date.parse(`${meta?.date_done}Z`));
    return (Math.max(...done) - sentAt) / 1000;
  };
  const setRateFromPython = (rate: string) =>
    runPython<{ replies: Record<string, unknown>[] }>(
      'rate_limit',
      { task_name: 'multi_task', rate_limit: rate, destination: hostnames },
      pythonEnv,
      { script: 'control.py' },
    );

  beforeAll(async () => {
    connection = await connect(TEST_BROKER_URL);
    channel = await connection.createChannel();
    await declareTaskQueue(channel, queue);
    redis = new Redis(TEST_REDIS_CONNECTION);
    results = new ResultRepository(redis, { expiresSeconds: 300 });
  }, BOOT_TIMEOUT_MS);

  afterEach(async () => {
    for (const worker of workers.splice(0)) {
      worker.signal('SIGKILL');
      await worker.exited;
    }
    await redis.del('celeriac:rate-limit:multi_task');
  });

  afterAll(
    () =>
      teardown(
        () => connection?.close(),
        () => redis?.quit(),
        () => deleteQueue(queue),
      ),
    TEARDOWN_TIMEOUT_MS,
  );

  const fortyAtFivePerSecond = async (scope: 'cluster' | 'worker') => {
    await startWorkers({ TASK_TIME_SCALE: '0', RATE_LIMIT_SCOPE: scope });
    const { replies } = await setRateFromPython('5/s');
    // Celery's reply shape, one per worker: [{node: {ok: ...}}, ...].
    expect(replies).toHaveLength(2);
    expect(Object.assign({}, ...replies)).toEqual(
      Object.fromEntries(
        hostnames.map((name) => [
          name,
          { ok: 'new rate limit set successfully' },
        ]),
      ),
    );
    const sentAt = Date.now();
    const ids = Array.from({ length: 40 }, (_, n) => send([n, 2]));
    return secondsUntilDone(ids, sentAt);
  };

  let clusterSeconds = 0;

  it('multi_task at 5/s set from Python: 40 tasks share one cluster budget', async () => {
    clusterSeconds = await fortyAtFivePerSecond('cluster');
    // Visible: inspect stats' `limits` and the Prometheus counter.
    const { replies } = await runPython<{
      replies: Record<
        string,
        {
          limits: {
            rate_limits: Record<string, { rate: string; throttled: number }>;
          };
        }
      >[];
    }>(
      'broadcast',
      { command: 'stats', destination: hostnames, reply: true, timeout: 5 },
      pythonEnv,
      { script: 'control.py' },
    );
    const stats = replies.flatMap((reply) =>
      Object.values(reply).map(
        (answer) => answer.limits.rate_limits.multi_task,
      ),
    );
    expect(stats.map((entry) => entry?.rate)).toEqual(['5/s', '5/s']);
    expect(
      stats.reduce((sum, entry) => sum + entry.throttled, 0),
    ).toBeGreaterThan(20);
    const metrics = await Promise.all(
      workers.map(async (worker) =>
        (await fetch(`http://127.0.0.1:${worker.healthPort}/metrics`)).text(),
      ),
    );
    expect(metrics.join('\n')).toMatch(
      /celeriac_worker_throttled_tasks_total\{task="multi_task",limit="rate"\} [1-9]/,
    );
    // 40 starts 0.2 s apart: 7.8 s, whichever worker takes them.
    expect(clusterSeconds).toBeGreaterThanOrEqual(7);
    expect(clusterSeconds).toBeLessThanOrEqual(12);
  }, 120_000);

  it('with RATE_LIMIT_SCOPE=worker each worker has its own 5/s, as in Celery', async () => {
    const seconds = await fortyAtFivePerSecond('worker');
    console.info(
      `40 multi_task at 5/s: cluster ${clusterSeconds.toFixed(2)} s, worker scope ${seconds.toFixed(2)} s`,
    );
    expect(clusterSeconds).toBeGreaterThan(0);
    const speedup = clusterSeconds / seconds;
    expect(speedup).toBeGreaterThan(1.4);
    expect(speedup).toBeLessThan(3);
  }, 120_000);

  it('a key admits one task at a time, others are not held up, and a killed worker frees its slot', async () => {
    // multi_task sleeps 2 s x TASK_TIME_SCALE: 1 s.
    await startWorkers({
      TASK_TIME_SCALE: '0.5',
      CONCURRENCY_LEASE_TIMEOUT: String(LEASE_TIMEOUT_SECONDS),
    });
    const keyA = `tenant-a-${randomUUID()}`;
    const keyB = `tenant-b-${randomUUID()}`;
    const sentAt = Date.now();
    const idsA: string[] = [];
    const idsB: string[] = [];
    const plain: string[] = [];
    for (let n = 0; n < 5; n += 1) {
      idsA.push(
        send([n, 1], limitHeaders({ concurrency: { key: keyA, limit: 1 } })),
      );
      idsB.push(
        send([n, 2], limitHeaders({ concurrency: { key: keyB, limit: 1 } })),
      );
      plain.push(send([n, 3]));
    }
    // Tasks without a key do not wait behind the keyed ones.
    const plainSeconds = await secondsUntilDone(plain, sentAt);
    expect(plainSeconds).toBeLessThan(2.5);
    console.info(`unkeyed tasks done after ${plainSeconds.toFixed(2)} s`);

    // Kill -9 the worker running an A task, once one A task has finished.
    const runsOf = (ids: string[]) => taskRuns(workers, ids, null);
    await pollUntil(
      () => Promise.resolve(runsOf(idsA)),
      (runs) =>
        runs.some((run) => run.end > 0) && runs.some((run) => run.end === 0),
      { timeoutMs: 10_000, intervalMs: 50 },
    );
    const victim = runsOf(idsA).find((run) => run.end === 0)?.worker;
    expect(victim).toBeDefined();
    victim?.signal('SIGKILL');
    await victim?.exited;
    const killedAt = Date.now();

    await secondsUntilDone([...idsA, ...idsB], sentAt);
    for (const ids of [idsA, idsB]) {
      const runs = taskRuns(workers, ids, { worker: victim, at: killedAt });
      expect(overlaps(runs)).toEqual([]);
      expect(new Set(runs.map((run) => run.id))).toEqual(new Set(ids));
    }
    // The killed worker's A slot came back within the lease timeout.
    const nextA = taskRuns(workers, idsA, { worker: victim, at: killedAt })
      .map((run) => run.start)
      .filter((start) => start > killedAt);
    expect(nextA.length).toBeGreaterThan(0);
    const slotBack = (Math.min(...nextA) - killedAt) / 1000;
    console.info(`key A slot back ${slotBack.toFixed(2)} s after kill -9`);
    expect(slotBack).toBeLessThan(LEASE_TIMEOUT_SECONDS + 1.5);
  }, 120_000);
});

/**
 * Each run of these tasks, from the workers' own logs ('task started',
 * 'task succeeded'); a run cut by the kill ends when the worker was killed.
 */
function taskRuns(
  workers: WorkerProcess[],
  ids: string[],
  killed: { worker: WorkerProcess | undefined; at: number } | null,
): Run[] {
  const wanted = new Set(ids);
  const runs: Run[] = [];
  for (const worker of workers) {
    const open = new Map<string, Run>();
    for (const line of worker.logs()) {
      if (!line.taskId || !wanted.has(line.taskId)) {
        continue;
      }
      if (line.msg === 'task started') {
        const run = { id: line.taskId, worker, start: line.time, end: 0 };
        open.set(line.taskId, run);
        runs.push(run);
      } else if (line.msg === 'task succeeded') {
        const run = open.get(line.taskId);
        if (run) {
          run.end = line.time;
        }
      }
    }
    if (killed && killed.worker === worker) {
      for (const run of open.values()) {
        if (run.end === 0) {
          run.end = killed.at;
        }
      }
    }
  }
  return runs;
}

/** Runs that started while an earlier one was still running. */
function overlaps(runs: Run[]): string[] {
  const sorted = [...runs].sort((a, b) => a.start - b.start);
  const found: string[] = [];
  let latestEnd = 0;
  for (const run of sorted) {
    if (run.start < latestEnd) {
      found.push(run.id);
    }
    latestEnd = Math.max(latestEnd, run.end);
  }
  return found;
}
