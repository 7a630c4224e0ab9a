// The monitor watching a real Python Celery worker (started with heartbeats
// and -E, as in production) and a celeriac worker at once: both are listed
// online with their tasks' states and runtimes, the Python worker answers
// Flower's inspect calls through the monitor's ControlClient, and a stopped
// worker is shown offline.
import type { INestApplication } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { TaskProducer } from '@celeriac/tasks';
import { bootMonitor, bootWorker, useEnvironment } from '../utils/boot-apps';
import { pollUntil } from '../utils/poll-until';
import { deleteQueue } from '../utils/rabbitmq';
import { type PythonWorker, startPythonWorker } from './utils/python';
import {
  BOOT_TIMEOUT_MS,
  TEARDOWN_TIMEOUT_MS,
  teardown,
} from '../utils/teardown';

const celeriacQueue = `interop-monitor-${randomUUID()}`;
const pythonQueue = `interop-monitor-py-${randomUUID()}`;
const celeriacHost = `interop-monitor-${randomUUID()}@host`;
useEnvironment({
  TASK_DEFAULT_QUEUE: celeriacQueue,
  WORKER_QUEUES: celeriacQueue,
  WORKER_HOSTNAME: celeriacHost,
  TASK_TIME_SCALE: '0',
  WORKER_SEND_EVENTS: 'true',
  MONITOR_QUEUES: pythonQueue,
  // These suites drive the controls (send, revoke, time limits, consumers):
  // no credentials, so the explicit opt-out (monitor-controls.e2e-spec.ts
  // shows the default refusing them).
  MONITOR_UNAUTHENTICATED_API: 'true',
});

interface WorkerItem {
  hostname: string;
  online: boolean;
  swIdent: string | null;
}

type TaskDict = Record<string, unknown> & { state: string };

describe('monitor with a Python Celery worker and a celeriac worker', () => {
  let monitor: INestApplication;
  let worker: INestApplication | undefined;
  let python: PythonWorker | undefined;
  let pythonHost: string;
  const http = () => request(monitor.getHttpServer());
  const workers = async () =>
    (await http().get('/api/monitor/workers').expect(200)).body as WorkerItem[];
  const waitForWorker = (
    hostname: string,
    online: boolean,
  ): Promise<WorkerItem | undefined> =>
    pollUntil(
      async () => (await workers()).find((w) => w.hostname === hostname),
      (found) => found?.online === online,
      { timeoutMs: 30_000, intervalMs: 200 },
    );
  const waitForTask = (id: string) =>
    pollUntil(
      async () => (await http().get(`/api/task/info/${id}`)).body as TaskDict,
      (task) => task.state === 'SUCCESS',
      { timeoutMs: 30_000, intervalMs: 200 },
    );

  beforeAll(async () => {
    monitor = await bootMonitor();
    python = await startPythonWorker({
      queue: pythonQueue,
      heartbeat: true,
      taskEvents: true,
    });
    worker = await bootWorker();
    const prefix = `${python.nodeName.split('@')[0]}@`;
    const found = await pollUntil(
      async () => (await workers()).find((w) => w.hostname.startsWith(prefix)),
      (item) => item !== undefined,
      { timeoutMs: 30_000, intervalMs: 200 },
    );
    pythonHost = found?.hostname ?? `${prefix}?`;
  }, BOOT_TIMEOUT_MS);

  afterAll(
    () =>
      teardown(
        () => python?.stop(),
        () => worker?.close(),
        () => monitor?.close(),
        () => deleteQueue(celeriacQueue),
        () => deleteQueue(pythonQueue),
      ),
    TEARDOWN_TIMEOUT_MS,
  );

  it('lists both workers online', async () => {
    const py = await waitForWorker(pythonHost, true);
    const node = await waitForWorker(celeriacHost, true);

    expect(py).toMatchObject({ online: true, swIdent: 'py-celery' });
    expect(node).toMatchObject({ online: true, swIdent: 'celeriac' });
    const status = await http().get('/api/workers?status=1').expect(200);
    expect(status.body).toMatchObject({
      [pythonHost]: true,
      [celeriacHost]: true,
    });
  });

  it("shows each worker's tasks with their states and runtimes", async () => {
    const producer = worker?.get(TaskProducer) as TaskProducer;
    const { taskId: onPython } = await producer.sendTask('add_task', {
      args: [20, 22],
      queue: pythonQueue,
    });
    const { taskId: onCeleriac } = await producer.sendTask('add_task', {
      args: [1, 2],
    });

    const pyTask = await waitForTask(onPython);
    const nodeTask = await waitForTask(onCeleriac);

    expect(pyTask).toMatchObject({
      name: 'add_task',
      state: 'SUCCESS',
      result: '42',
      worker: pythonHost,
      runtime: expect.any(Number),
      received: expect.any(Number),
      started: expect.any(Number),
    });
    expect(nodeTask).toMatchObject({
      name: 'add_task',
      state: 'SUCCESS',
      result: '3',
      worker: celeriacHost,
      runtime: expect.any(Number),
    });
  });

  it("gets the Python worker's inspect replies for /api/workers", async () => {
    const response = await http()
      .get('/api/workers')
      .query({ refresh: 1, workername: pythonHost })
      .expect(200);
    const info = (response.body as Record<string, Record<string, unknown>>)[
      pythonHost
    ];

    expect(Object.keys(info).sort()).toEqual(
      [
        'active',
        'active_queues',
        'conf',
        'registered',
        'reserved',
        'revoked',
        'scheduled',
        'stats',
        'timestamp',
      ].sort(),
    );
    expect(info.stats).toMatchObject({
      total: expect.any(Object),
      broker: expect.any(Object),
    });
    expect(info.registered).toContain('add_task');
    expect(
      (info.active_queues as { name: string }[]).map((queue) => queue.name),
    ).toContain(pythonQueue);
  });

  // Before the consumer test: right after it (it deletes a queue the Python
  // worker consumed), Celery 5.2 left the next pidbox request unanswered,
  // whichever command and timeout; the one after was answered at once.
  it("sets a Python worker's time limits through Flower's task/timeout", async () => {
    const set = await http()
      .post('/api/task/timeout/add_task')
      .query({ workername: pythonHost, soft: 30, hard: 60 })
      .expect(200);
    expect(set.body).toEqual({ message: 'time limits set successfully' });

    // fail_task is Python's only: the monitor knows it from Python's
    // registered list, and the celeriac worker answers as Celery does for a
    // task it lacks (nok), which Flower turns into a 403.
    await http().get('/api/workers').query({ refresh: 1 }).expect(200);
    const refused = await http()
      .post('/api/task/timeout/fail_task')
      .query({ workername: celeriacHost, soft: 30 })
      .expect(403);
    expect(refused.body).toMatchObject({
      code: 'WORKER_FAILED',
      detail: 'Failed to set timeouts: unknown task',
    });
  });

  it("drives the Python worker's consumers through Flower's control routes", async () => {
    const extra = `interop-monitor-extra-${randomUUID()}`;
    try {
      const added = await http()
        .post(`/api/worker/queue/add-consumer/${pythonHost}`)
        .query({ queue: extra })
        .expect(200);
      expect(added.body).toEqual({ message: `add consumer ${extra}` });

      const cancelled = await http()
        .post(`/api/worker/queue/cancel-consumer/${pythonHost}`)
        .query({ queue: extra })
        .expect(200);
      expect(cancelled.body).toEqual({
        message: `no longer consuming from ${extra}`,
      });
      await http()
        .post(`/api/worker/queue/add-consumer/${pythonHost}`)
        .expect(400);
    } finally {
      await deleteQueue(extra);
    }
  });

  it('shows a stopped worker offline', async () => {
    await python?.stop();
    python = undefined;

    const py = await waitForWorker(pythonHost, false);
    expect(py?.online).toBe(false);
    expect(
      (await workers()).find((w) => w.hostname === celeriacHost),
    ).toMatchObject({ online: true });

    await worker?.close();
    worker = undefined;
    expect((await waitForWorker(celeriacHost, false))?.online).toBe(false);
  });
});
