// MONITOR_UNAUTHENTICATED_API=true (Flower's FLOWER_UNAUTHENTICATED_API):
// the operator opts out of authentication, and every control works without
// credentials, down to a real worker process's shutdown.
import type { INestApplication } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { TaskProducer } from '@celeriac/tasks';
import { bootMonitor, useEnvironment } from '../utils/boot-apps';
import {
  callControl,
  type ControlTargets,
  expectControlEffects,
  expectControlsWork,
  monitorControls,
  monitorGet,
  scheduleBoardReadOnly,
  waitForTaskState,
  waitForWorkerOnline,
} from '../utils/monitor-controls';
import { deleteQueue } from '../utils/rabbitmq';
import { WorkerProcess } from '../utils/worker-process';

const run = randomUUID();
const queue = `e2e-monitor-open-${run}`;
const otherQueue = `e2e-monitor-open-other-${run}`;
const worker = `e2e-monitor-open-${run}@test`;
useEnvironment({
  TASK_DEFAULT_QUEUE: queue,
  MONITOR_QUEUES: queue,
  MONITOR_DASHBOARD_DIR: `/nonexistent/monitor-dashboard-${run}`,
  MONITOR_BASIC_AUTH: '',
  MONITOR_API_KEYS: '',
  MONITOR_UNAUTHENTICATED_API: 'true',
  MONITOR_READ_ONLY: 'false',
});

describe('monitor controls with MONITOR_UNAUTHENTICATED_API=true', () => {
  let monitor: INestApplication;
  let workerProcess: WorkerProcess;
  let targets: ControlTargets;

  beforeAll(async () => {
    monitor = await bootMonitor();
    workerProcess = await WorkerProcess.start({
      WORKER_HOSTNAME: worker,
      WORKER_QUEUES: queue,
      TASK_DEFAULT_QUEUE: queue,
      TASK_TIME_SCALE: '0',
      LOG_LEVEL: 'info',
    });
    await waitForWorkerOnline(monitor, worker);
    const { taskId } = await monitor
      .get(TaskProducer)
      .sendTask('add_task', { args: ['x', 1], queue });
    expect(await waitForTaskState(monitor, taskId, ['FAILURE'])).toBe(
      'FAILURE',
    );
    targets = { worker, queue, otherQueue, failedTaskId: taskId };
  }, 60_000);

  afterAll(async () => {
    await workerProcess?.stop();
    await monitor?.close();
    await deleteQueue(queue);
    await deleteQueue(otherQueue);
  }, 30_000);

  it('tells the dashboard that its controls work', async () => {
    const config = await monitorGet(monitor, '/api/monitor/config').expect(200);

    expect(await scheduleBoardReadOnly(monitor)).toBe(false);
    expect(config.body).toEqual({
      readOnly: false,
      controls: true,
      authentication: [],
    });
  });

  it("refuses every control a browser sends from another site's page", async () => {
    for (const call of monitorControls(targets)) {
      const response = await callControl(monitor, call).set(
        'Sec-Fetch-Site',
        'cross-site',
      );

      expect({ call: call.name, status: response.status }).toEqual({
        call: call.name,
        status: 403,
      });
      expect(response.body).toMatchObject({ code: 'CROSS_SITE_REQUEST' });
    }
    expect(workerProcess.running).toBe(true);
  });

  it('runs every control without credentials, then shuts the worker down', async () => {
    const effects = await expectControlsWork(monitor, targets);
    await expectControlEffects(monitor, targets, effects);

    const shutdown = monitorControls(targets).find(
      (call) => call.name === 'worker shutdown',
    );
    const answer = await callControl(monitor, shutdown!).expect(200);
    expect(answer.body).toEqual({ message: 'Shutting down!' });
    expect(await workerProcess.exited).toEqual({ code: 0, signal: null });
  }, 60_000);
});
