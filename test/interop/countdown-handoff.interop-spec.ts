// Python's apply_async(countdown=N) to a celeriac worker: the worker hands
// the message to beat's BullMQ queue and acks it instead of holding it.
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { Queue } from 'bullmq';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { SCHEDULE_QUEUE } from '@celeriac/schedule';
import { bootWorker, useEnvironment } from '../utils/boot-apps';
import { pollUntil } from '../utils/poll-until';
import { deleteQueue, TEST_VHOST } from '../utils/rabbitmq';
import { TEST_REDIS_CONNECTION } from '../utils/redis';
import { InteropTasksModule } from './utils/interop-tasks.module';
import { type PythonEnv, runPython } from './utils/python';
import {
  BOOT_TIMEOUT_MS,
  TEARDOWN_TIMEOUT_MS,
  teardown,
} from '../utils/teardown';

const queue = `interop-eta-${randomUUID()}`;
useEnvironment({
  TASK_DEFAULT_QUEUE: queue,
  WORKER_QUEUES: queue,
  WORKER_HOSTNAME: `celeriac-${randomUUID()}@interop`,
  TASK_TIME_SCALE: '0',
  RESULT_EXPIRES: '300',
  BEAT_DELAY_THRESHOLD: '1',
});
const pythonEnv: PythonEnv = { INTEROP_QUEUE: queue, TASK_TIME_SCALE: '0' };

/** The queue's ready and unacknowledged counts, as RabbitMQ reports them. */
async function queueCounts(): Promise<{ ready: number; unacked: number }> {
  const { stdout } = await promisify(execFile)('rabbitmqctl', [
    '-q',
    'list_queues',
    '-p',
    TEST_VHOST,
    'name',
    'messages_ready',
    'messages_unacknowledged',
  ]);
  const row = stdout
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .find(([name]) => name === queue);
  return { ready: Number(row?.[1] ?? NaN), unacked: Number(row?.[2] ?? NaN) };
}

describe("Python's apply_async(countdown=N) to a celeriac worker", () => {
  let worker: INestApplication;
  let beat: INestApplication;
  let schedule: Queue;

  beforeAll(async () => {
    worker = await bootWorker({ imports: [InteropTasksModule] });
    const { BeatModule } = await import('../../apps/beat/src/beat.module.js');
    const moduleRef = await Test.createTestingModule({
      imports: [BeatModule],
    }).compile();
    beat = moduleRef.createNestApplication({ logger: false });
    await beat.init();
    schedule = new Queue(SCHEDULE_QUEUE, {
      connection: TEST_REDIS_CONNECTION,
    });
  }, BOOT_TIMEOUT_MS);

  afterAll(
    () =>
      teardown(
        () => schedule?.close(),
        () => beat?.close(),
        () => worker?.close(),
        () => deleteQueue(queue),
      ),
    TEARDOWN_TIMEOUT_MS,
  );

  it('is not left unacked on the worker while it waits, and runs when due', async () => {
    const { id } = await runPython<{ id: string }>(
      'send_task',
      { name: 'add_task', args: [2, 3], queue, countdown: 4 },
      pythonEnv,
    );

    const state = await pollUntil(
      async () => (await schedule.getJob(id))?.getState(),
      (value) => value === 'delayed',
    );
    expect(state).toBe('delayed');
    expect(await queueCounts()).toEqual({ ready: 0, unacked: 0 });

    const result = await runPython<{ result?: unknown }>(
      'get',
      { id, timeout: 20 },
      pythonEnv,
    );
    expect(result).toMatchObject({ result: 5 });
  });
});
