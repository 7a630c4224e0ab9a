import type { INestApplication } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import request from 'supertest';
import { ResultRepository } from '@celeriac/results';
import { bootApi, useEnvironment } from '../utils/boot-apps';
import {
  OWNED_SENTINEL_MASTER,
  startOwnedSentinelGroup,
  type OwnedSentinelGroup,
} from '../utils/owned-sentinel';
import { pollUntil } from '../utils/poll-until';
import { deleteQueue, TEST_BROKER_URL } from '../utils/rabbitmq';
import {
  BOOT_TIMEOUT_MS,
  TEARDOWN_TIMEOUT_MS,
  teardown,
} from '../utils/teardown';
import { WorkerProcess } from '../utils/worker-process';

const queue = `test-sentinel-${randomUUID()}`;
/** Tasks per request; batches go before the kill, through the failover, and after it. */
const BATCH = 20;
const BATCHES_BEFORE = 8;
const BATCHES_AFTER = 8;
const AFTER_FAILOVER_MS = 30_000;
// multi_task takes 2 s at scale 1: 40 ms here, so tasks are in flight at the kill.
const TIME_SCALE = '0.02';

interface BatchResult {
  task_id?: string;
  error?: unknown;
}

/** What one run under a failover ended with. */
interface FailoverRun {
  accepted: number;
  refused: number;
  lost: string[];
  wrong: string[];
  /** From the kill until the sentinels named the new master. */
  failoverMs: number;
  /** From the kill until the first task submitted afterwards had its result. */
  resumedMs: number;
}

/**
 * Redis Sentinel (issue 19): the api (in this process) and a worker (a real
 * process) reach the result backend only through three sentinels of a
 * master + replica group this suite owns. The master is `kill -9`ed while
 * tasks flow; the apps follow the promoted replica without a restart. With
 * RESULT_BACKEND_WAIT_REPLICAS=1 no accepted task loses its result; without,
 * the loss is measured and reported, not asserted.
 */
describe('Redis Sentinel failover', () => {
  let group: OwnedSentinelGroup | undefined;
  let api: INestApplication | undefined;
  let worker: WorkerProcess | undefined;
  const started = Date.now();

  beforeAll(async () => {
    group = await startOwnedSentinelGroup();
    useEnvironment({
      BROKER_URL: TEST_BROKER_URL,
      RESULT_BACKEND_URL: group.url,
      RESULT_BACKEND_SENTINEL_MASTER: OWNED_SENTINEL_MASTER,
      TASK_DEFAULT_QUEUE: queue,
    });
    api = await bootApi();
  }, BOOT_TIMEOUT_MS);

  afterAll(
    () =>
      teardown(
        () => worker?.stop(),
        () => api?.close(),
        () => group?.stop(),
        () => deleteQueue(queue),
        () =>
          console.log(
            `redis-sentinel suite: ${((Date.now() - started) / 1000).toFixed(1)} s`,
          ),
      ),
    TEARDOWN_TIMEOUT_MS,
  );

  const startWorker = (waitReplicas: number) =>
    WorkerProcess.start({
      LOG_LEVEL: 'warn',
      BROKER_URL: TEST_BROKER_URL,
      RESULT_BACKEND_URL: group!.url,
      RESULT_BACKEND_SENTINEL_MASTER: OWNED_SENTINEL_MASTER,
      RESULT_BACKEND_WAIT_REPLICAS: String(waitReplicas),
      RESULT_BACKEND_WAIT_TIMEOUT_MS: '500',
      TASK_DEFAULT_QUEUE: queue,
      WORKER_QUEUES: queue,
      WORKER_CONCURRENCY: '16',
      TASK_TIME_SCALE: TIME_SCALE,
    });

  /**
   * Submits multi_task(i, base) through the api, kills the master after
   * BATCHES_BEFORE batches, brings the dead node back as a replica once the
   * sentinels promoted the other, submits BATCHES_AFTER more batches, and
   * waits for every accepted task's result.
   */
  async function runThroughFailover(base: number): Promise<FailoverRun> {
    const sentinels = group!;
    const http = request(api!.getHttpServer());
    const accepted = new Map<string, number>();
    let refused = 0;
    let killedAt = 0;
    let failoverMs = 0;
    let firstAfterKill: string | undefined;

    const failover = async (): Promise<void> => {
      const oldMaster = await sentinels.masterPort();
      sentinels.kill(oldMaster);
      killedAt = Date.now();
      const newMaster = await pollUntil(
        () => sentinels.masterPort().catch(() => oldMaster),
        (port) => port !== oldMaster,
        { timeoutMs: 30_000, intervalMs: 100 },
      );
      expect(newMaster).toBe(sentinels.otherNode(oldMaster));
      failoverMs = Date.now() - killedAt;
      await sentinels.restartAsReplica(oldMaster, newMaster);
    };

    let failing: Promise<void> | undefined;
    let failedOverAt = 0;
    let batchesAfter = 0;
    // After the switch, submit until BATCHES_AFTER batches are accepted: how
    // soon the api takes them again depends on its reconnect backoff, so give
    // it up to AFTER_FAILOVER_MS (the count assertion then says it did not).
    for (
      let batch = 0;
      batchesAfter < BATCHES_AFTER &&
      !(failedOverAt > 0 && Date.now() - failedOverAt > AFTER_FAILOVER_MS);
      batch += 1
    ) {
      const offset = batch * BATCH;
      if (batch === BATCHES_BEFORE) {
        failing = failover().then(() => {
          failedOverAt = Date.now();
        });
      }
      const countsAfter = failedOverAt > 0;
      const numbers = Array.from({ length: BATCH }, (_, i) => offset + i);
      const response = await http
        .post('/v1/tasks/batch')
        .send({
          tasks: numbers.map((a) => ({ task: 'multi_task', args: [a, base] })),
        })
        .timeout(10_000);
      const results =
        (response.body as { results?: BatchResult[] }).results ?? [];
      numbers.forEach((a, index) => {
        const taskId = results[index]?.task_id;
        if (
          (response.status === 202 || response.status === 207) &&
          taskId &&
          !results[index]?.error
        ) {
          accepted.set(taskId, a * base);
          if (killedAt > 0 && !firstAfterKill) {
            firstAfterKill = taskId;
          }
        } else {
          refused += 1;
        }
      });
      if (countsAfter && response.status === 202) {
        batchesAfter += 1;
      }
      // Spread the submits over the failover, as clients would.
      await sleep(15);
    }
    await failing;

    const ids = [...accepted.keys()];
    const repository = api!.get(ResultRepository);
    let readError: string | undefined;
    const read = () =>
      repository.getManyTaskMeta(ids).then(
        (metas) => {
          readError = undefined;
          return metas;
        },
        (error: Error) => {
          readError = error.message;
          return ids.map(() => null);
        },
      );
    let resumedMs = 0;
    // Every accepted task runs (a requeued one runs again); wait for them all,
    // or until nothing changed for 5 s (what is missing then is lost).
    let lastDone = -1;
    let stableSince = Date.now();
    const metas = await pollUntil(
      async () => {
        const all = await read();
        if (firstAfterKill && resumedMs === 0) {
          const index = ids.indexOf(firstAfterKill);
          if (all[index]?.status === 'SUCCESS') {
            resumedMs = Date.now() - killedAt;
          }
        }
        return all;
      },
      (all) => {
        const done = all.filter((meta) => meta?.status === 'SUCCESS').length;
        if (done !== lastDone) {
          lastDone = done;
          stableSince = Date.now();
        }
        return done === ids.length || Date.now() - stableSince > 5000;
      },
      { timeoutMs: 90_000, intervalMs: 250 },
    );
    // Each with what the api read for it, so a failure says why.
    const lost = ids.flatMap((id, index) =>
      metas[index]?.status === 'SUCCESS'
        ? []
        : [`${id}: ${metas[index]?.status ?? readError ?? 'no key'}`],
    );
    const wrong = ids.filter(
      (id, index) =>
        metas[index]?.status === 'SUCCESS' &&
        metas[index]?.result !== accepted.get(id),
    );
    return {
      accepted: ids.length,
      refused,
      lost,
      wrong,
      failoverMs,
      resumedMs,
    };
  }

  it('with RESULT_BACKEND_WAIT_REPLICAS=1: every accepted task has its result after the master dies', async () => {
    worker = await startWorker(1);
    const run = await runThroughFailover(3);
    console.log(
      `sentinel failover, replica wait on: ${JSON.stringify({ ...run, lost: run.lost.length, wrong: run.wrong.length })}`,
    );
    expect(run.accepted).toBeGreaterThanOrEqual(
      (BATCHES_BEFORE + BATCHES_AFTER) * BATCH,
    );
    expect(run.lost).toEqual([]);
    expect(run.wrong).toEqual([]);
    // The apps followed the new master without a restart.
    expect(run.resumedMs).toBeGreaterThan(0);
    expect(worker.running).toBe(true);
    await worker.stop();
  }, 180_000);

  it('without the replica wait: the apps follow a second failover; results lost are measured', async () => {
    await group!.replicated();
    worker = await startWorker(0);
    const run = await runThroughFailover(7);
    console.log(
      `sentinel failover, replica wait off: ${JSON.stringify({ ...run, lost: run.lost.length, wrong: run.wrong.length })}`,
    );
    expect(run.accepted).toBeGreaterThanOrEqual(
      (BATCHES_BEFORE + BATCHES_AFTER) * BATCH,
    );
    expect(run.wrong).toEqual([]);
    expect(run.resumedMs).toBeGreaterThan(0);
    const ready = await request(api!.getHttpServer()).get('/health/ready');
    expect(ready.status).toBe(200);
    expect(worker.running).toBe(true);
  }, 180_000);
});
