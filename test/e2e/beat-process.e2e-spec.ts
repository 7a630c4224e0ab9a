// beat as real processes (npm run start:beat): several replicas, restarts.
import type { INestApplication } from '@nestjs/common';
import { type Channel, type ChannelModel, connect } from 'amqplib';
import { Queue } from 'bullmq';
import { randomUUID } from 'node:crypto';
import { writeFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { SCHEDULE_QUEUE } from '@celeriac/schedule';
import { bootApi, useEnvironment } from '../utils/boot-apps';
import { pollUntil } from '../utils/poll-until';
import { deleteQueue, TEST_BROKER_URL } from '../utils/rabbitmq';
import { TEST_REDIS_CONNECTION } from '../utils/redis';
import { BEAT_APP, WORKER_APP, WorkerProcess } from '../utils/worker-process';
import {
  BOOT_TIMEOUT_MS,
  TEARDOWN_TIMEOUT_MS,
  teardown,
} from '../utils/teardown';

const queue = `e2e-beat-${randomUUID()}`;
const env = {
  TASK_DEFAULT_QUEUE: queue,
  WORKER_QUEUES: queue,
  TASK_TIME_SCALE: '0',
  RESULT_EXPIRES: '300',
  // So that countdown=3 goes through beat rather than a worker's memory.
  BEAT_DELAY_THRESHOLD: '1',
};
useEnvironment(env);

describe('beat processes', () => {
  let connection: ChannelModel;
  let channel: Channel;
  let schedule: Queue;
  const processes: WorkerProcess[] = [];
  const start = async (extra: Record<string, string> = {}, app = BEAT_APP) => {
    const started = await WorkerProcess.start(
      { ...env, WORKER_HOSTNAME: `e2e-${randomUUID()}@beat`, ...extra },
      app,
    );
    processes.push(started);
    return started;
  };
  const stop = async (running: WorkerProcess) => {
    running.signal('SIGTERM');
    await running.exited;
  };

  beforeAll(async () => {
    connection = await connect(TEST_BROKER_URL);
    channel = await connection.createChannel();
    await channel.assertQueue(queue, { durable: true });
    schedule = new Queue(SCHEDULE_QUEUE, {
      connection: TEST_REDIS_CONNECTION,
    });
  }, BOOT_TIMEOUT_MS);

  afterEach(async () => {
    for (const running of processes.splice(0)) {
      running.signal('SIGKILL');
      await running.exited;
    }
  });

  afterAll(
    () =>
      teardown(
        () => schedule?.close(),
        () => connection?.close(),
        () => deleteQueue(queue),
      ),
    TEARDOWN_TIMEOUT_MS,
  );

  it('publishes each tick of an every: 1 schedule exactly once with two beats running', async () => {
    const name = `e2e-${randomUUID()}`;
    const file = join(tmpdir(), `${name}.yaml`);
    await writeFile(
      file,
      `${name}:\n  task: multi_task\n  args: [2, 3]\n  queue: ${queue}\n  every: 1\n`,
    );
    const published: string[] = [];
    const { consumerTag } = await channel.consume(queue, (message) => {
      if (message) {
        published.push(String(message.properties.headers?.id));
        channel.ack(message);
      }
    });
    try {
      const beats = [
        await start({ BEAT_SCHEDULE_FILE: file }),
        await start({ BEAT_SCHEDULE_FILE: file }),
      ];
      await pollUntil(
        () => Promise.resolve(published.length),
        (count) => count >= 5,
        { timeoutMs: 20_000 },
      );
      await Promise.all(beats.map(stop));
      const ticks = beats.flatMap((beat) =>
        beat
          .logs()
          .filter((line) => line.msg === 'periodic task published')
          .map((line) => ({ tick: String(line.tick), taskId: line.taskId })),
      );
      // Whichever replica took each tick, no tick was published twice.
      expect(published.length).toBeGreaterThanOrEqual(5);
      expect(new Set(published).size).toBe(published.length);
      expect(new Set(ticks.map(({ tick }) => tick)).size).toBe(ticks.length);
      expect(ticks.map(({ taskId }) => taskId).sort()).toEqual(
        [...published].sort(),
      );
    } finally {
      await channel.cancel(consumerTag);
      await schedule.removeJobScheduler(name);
      await rm(file, { force: true });
    }
  });

  it('runs a countdown=3 task once, at least 3 s later, across restarts of the worker and beat', async () => {
    const api: INestApplication = await bootApi();
    try {
      let worker = await start({}, WORKER_APP);
      let beat = await start();
      const submittedAt = Date.now();
      const submitted = await request(api.getHttpServer())
        .post('/v1/tasks')
        .send({ task: 'multi_task', args: [6, 7], countdown: 3 })
        .expect(202);
      const id = submitted.body.task_id as string;

      await Promise.all([stop(worker), stop(beat)]);
      const firstRuns = worker.logs();
      worker = await start({}, WORKER_APP);
      beat = await start();

      const done = await pollUntil(
        async () =>
          (await request(api.getHttpServer()).get(`/v1/tasks/${id}`)).body as {
            status: string;
            result: unknown;
            date_done: string | null;
          },
        (view) => view.status === 'SUCCESS',
        { timeoutMs: 20_000 },
      );
      expect(done).toMatchObject({ status: 'SUCCESS', result: 42 });
      expect(Date.parse(`${done.date_done}Z`)).toBeGreaterThanOrEqual(
        submittedAt + 3000,
      );
      const runs = [...firstRuns, ...worker.logs()].filter(
        (line) => line.msg === 'task succeeded' && line.taskId === id,
      );
      expect(runs).toHaveLength(1);
      // It waited in BullMQ, and the restarted beat published it.
      expect(beat.logs()).toContainEqual(
        expect.objectContaining({ msg: 'delayed task published', taskId: id }),
      );
    } finally {
      await api.close();
    }
  });
});
