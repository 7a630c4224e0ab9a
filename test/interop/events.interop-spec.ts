// Python Celery's event receiver (app.events.Receiver, as Flower uses it)
// listens while a celeriac worker boots and runs tasks: it must see the
// worker's online/heartbeat events and its task events.
import type { INestApplication } from '@nestjs/common';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { TaskProducer } from '@celeriac/tasks';
import { bootWorker, useEnvironment } from '../utils/boot-apps';
import { deleteQueue, TEST_BROKER_URL } from '../utils/rabbitmq';
import { PYTHON, PYTHON_DIR } from './utils/python';
import { TEARDOWN_TIMEOUT_MS, teardown } from '../utils/teardown';

const queue = `interop-events-${randomUUID()}`;
const hostname = `events-${randomUUID()}@host`;
useEnvironment({
  TASK_DEFAULT_QUEUE: queue,
  WORKER_QUEUES: queue,
  WORKER_HOSTNAME: hostname,
  TASK_TIME_SCALE: '0',
  WORKER_SEND_EVENTS: 'true',
});

type CeleryEvent = Record<string, unknown> & { type: string };

/** Starts events.py; resolves once its queue is declared. */
function startReceiver(
  seconds: number,
): Promise<{ done: Promise<CeleryEvent[]> }> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PYTHONDONTWRITEBYTECODE: '1',
    PYTHONUNBUFFERED: '1',
    INTEROP_QUEUE: queue,
    BROKER_URL: process.env.BROKER_URL ?? TEST_BROKER_URL,
  };
  delete env.PYTHONHOME;
  delete env.PYTHONPATH;
  const child = spawn(PYTHON, ['events.py', JSON.stringify({ seconds })], {
    cwd: PYTHON_DIR,
    env,
  });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const done = new Promise<CeleryEvent[]>((resolve, reject) => {
    child.on('close', (code) => {
      const line = stdout.trim().split('\n').pop() ?? '';
      try {
        resolve((JSON.parse(line) as { events: CeleryEvent[] }).events);
      } catch {
        reject(new Error(`events.py exited ${String(code)}:\n${stderr}`));
      }
    });
  });
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (stdout.includes('READY\n')) {
        resolve({ done });
      }
    });
    done.catch(reject);
  });
}

describe('celeriac worker events seen by Python Celery', () => {
  let worker: INestApplication | undefined;

  afterAll(
    () =>
      teardown(
        () => worker?.close(),
        () => deleteQueue(queue),
      ),
    TEARDOWN_TIMEOUT_MS,
  );

  it('sends worker and task events a Celery receiver understands', async () => {
    // Long enough for two heartbeats (every 2 s) after a slow worker boot
    // on a busy machine.
    const collected = await startReceiver(15);
    worker = await bootWorker();
    const producer = worker.get(TaskProducer);
    const ok = await producer.sendTask('add_task', { args: [1, 2] });
    const bad = await producer.sendTask('add_task', { args: ['x', 1] });
    const events = await collected.done;

    const mine = (type: string, uuid?: string) =>
      events.filter(
        (event) =>
          event.type === type &&
          event.hostname === hostname &&
          (uuid === undefined || event.uuid === uuid),
      );
    expect(mine('worker-online')).toHaveLength(1);
    const heartbeats = mine('worker-heartbeat');
    expect(heartbeats.length).toBeGreaterThanOrEqual(2);
    expect(heartbeats[0]).toMatchObject({
      freq: 2,
      sw_ident: 'celeriac',
      sw_ver: '0.1.0',
      utcoffset: expect.any(Number) as number,
      clock: expect.any(Number) as number,
    });

    expect(mine('task-received', ok.taskId)[0]).toMatchObject({
      name: 'add_task',
      args: '[1, 2]',
      kwargs: '{}',
      retries: 0,
    });
    expect(mine('task-started', ok.taskId)).toHaveLength(1);
    const succeeded = mine('task-succeeded', ok.taskId)[0];
    expect(succeeded).toMatchObject({ result: '3' });
    expect(typeof succeeded?.runtime).toBe('number');

    expect(mine('task-received', bad.taskId)).toHaveLength(1);
    const failed = mine('task-failed', bad.taskId)[0];
    expect(failed?.exception).toMatch(/^TypeError\('.+'\)$/);
    expect(typeof failed?.traceback).toBe('string');
  }, 60_000);
});
