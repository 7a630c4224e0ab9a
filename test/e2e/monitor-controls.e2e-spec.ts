// With default settings (no MONITOR_BASIC_AUTH, no MONITOR_API_KEYS, no
// MONITOR_UNAUTHENTICATED_API) every control of the monitor is 401, as
// Flower 2 refuses its API without FLOWER_UNAUTHENTICATED_API, and nothing
// reaches the broker: no task is published, the worker keeps its queues,
// the revoke is not stored, and a real worker process survives the
// shutdown call. The read views, metrics and probes stay open.
import type { INestApplication } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { ControlClient } from '@celeriac/broker';
import { RevokedRepository } from '@celeriac/results';
import { TaskProducer } from '@celeriac/tasks';
import type { TaskRecord } from '../../apps/monitor/src/contract/flower-task';
import { bootMonitor, useEnvironment } from '../utils/boot-apps';
import {
  activeQueues,
  callControl,
  type ControlTargets,
  monitorControls,
  scheduleBoardReadOnly,
  waitForWorkerOnline,
} from '../utils/monitor-controls';
import { pollUntil } from '../utils/poll-until';
import { deleteQueue } from '../utils/rabbitmq';
import { WorkerProcess } from '../utils/worker-process';

const run = randomUUID();
const queue = `e2e-monitor-controls-${run}`;
const otherQueue = `e2e-monitor-controls-other-${run}`;
const worker = `e2e-monitor-controls-${run}@test`;
useEnvironment({
  TASK_DEFAULT_QUEUE: queue,
  MONITOR_QUEUES: queue,
  MONITOR_DASHBOARD_DIR: `/nonexistent/monitor-dashboard-${run}`,
  // The defaults of everything this test is about: spelled out so a
  // developer's shell cannot change them.
  MONITOR_BASIC_AUTH: '',
  MONITOR_API_KEYS: '',
  MONITOR_UNAUTHENTICATED_API: 'false',
  FLOWER_UNAUTHENTICATED_API: '',
  MONITOR_READ_ONLY: 'false',
});

describe('monitor controls with default settings', () => {
  let monitor: INestApplication;
  let workerProcess: WorkerProcess;
  let targets: ControlTargets;
  const http = () => request(monitor.getHttpServer());

  beforeAll(async () => {
    monitor = await bootMonitor();
    // One task at a time, in order: a sentinel sent last proves nothing
    // was published before it.
    workerProcess = await WorkerProcess.start({
      WORKER_HOSTNAME: worker,
      WORKER_QUEUES: queue,
      TASK_DEFAULT_QUEUE: queue,
      WORKER_CONCURRENCY: '1',
      TASK_TIME_SCALE: '0',
      LOG_LEVEL: 'info',
    });
    await waitForWorkerOnline(monitor, worker);
    // add_task refuses a string: a FAILURE to revoke and retry.
    const { taskId } = await monitor
      .get(TaskProducer)
      .sendTask('add_task', { args: ['x', 1], queue });
    await waitForState(taskId, 'FAILURE');
    targets = { worker, queue, otherQueue, failedTaskId: taskId };
  }, 60_000);

  afterAll(async () => {
    await workerProcess?.stop();
    await monitor?.close();
    await deleteQueue(queue);
  }, 30_000);

  async function waitForState(id: string, state: string): Promise<TaskRecord> {
    const task = await pollUntil(
      async () => (await http().get(`/api/task/info/${id}`)).body as TaskRecord,
      (body) => body.state === state,
      { timeoutMs: 20_000, intervalMs: 100 },
    );
    expect(task.state).toBe(state);
    return task;
  }

  it('answers every control 401 with a problem body and a challenge, and does nothing', async () => {
    const calls = monitorControls(targets);
    for (const call of calls) {
      const response = await callControl(monitor, call);

      expect({ call: call.name, status: response.status }).toEqual({
        call: call.name,
        status: 401,
      });
      expect(response.type).toBe('application/problem+json');
      expect(response.headers['www-authenticate']).toMatch(
        /^Basic realm="celeriac monitor"/,
      );
      expect(response.body).toMatchObject({
        type: 'about:blank',
        title: 'Unauthorized',
        status: 401,
        code: 'AUTHENTICATION_NOT_CONFIGURED',
        instance: call.path,
      });
      expect((response.body as { detail: string }).detail).toContain(
        'MONITOR_UNAUTHENTICATED_API',
      );
    }

    // The worker runs one task at a time in queue order: once a sentinel
    // sent now has succeeded, anything published before it was seen too.
    const { taskId: sentinel } = await monitor
      .get(TaskProducer)
      .sendTask('add_task', { args: [40, 2], queue });
    await waitForState(sentinel, 'SUCCESS');
    const tasks = (
      await http().get('/api/tasks').query({ workername: worker }).expect(200)
    ).body as Record<string, TaskRecord>;
    expect(Object.keys(tasks).sort()).toEqual(
      [targets.failedTaskId, sentinel].sort(),
    );
    expect(tasks[targets.failedTaskId].state).toBe('FAILURE');

    // The worker: alive, answering, consuming what it did, no revoke stored.
    const pong = await monitor.get(ControlClient).broadcast('ping', {
      destination: [worker],
      reply: true,
      timeout: 5,
    });
    expect(pong).toEqual([{ [worker]: { ok: 'pong' } }]);
    expect(await activeQueues(monitor, worker)).toEqual([queue]);
    expect(
      await monitor.get(RevokedRepository).isRevoked(targets.failedTaskId),
    ).toBe(false);
    expect(workerProcess.running).toBe(true);
    expect(
      (await fetch(`http://127.0.0.1:${workerProcess.healthPort}/health/ready`))
        .status,
    ).toBe(200);
  }, 60_000);

  it('leaves the read views, the metrics and the probes open', async () => {
    await http().get('/api/tasks').expect(200);
    await http().get('/api/workers?status=1').expect(200);
    await http().get(`/api/task/info/${targets.failedTaskId}`).expect(200);
    await http().get('/api/monitor/workers').expect(200);
    await http().get('/queues/api/queues').expect(200);
    await http().get('/metrics').expect(200);
    await http().get('/healthcheck').expect(200);
    await http().get('/health/ready').expect(200);
  });

  it("shows Bull Board's schedule queue without its buttons", async () => {
    expect(await scheduleBoardReadOnly(monitor)).toBe(true);
  });

  it('tells the dashboard that its controls are off', async () => {
    const config = await http().get('/api/monitor/config').expect(200);

    expect(config.body).toEqual({
      readOnly: false,
      controls: false,
      authentication: [],
    });
  });
});
