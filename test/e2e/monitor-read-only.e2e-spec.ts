// MONITOR_READ_ONLY=true (Flower 2.1's read_only): every control is 403,
// even with the right credentials, and nothing reaches the worker; the
// dashboard, in headless Chromium, shows a task without its revoke,
// terminate and retry buttons.
import type { INestApplication } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { ControlClient } from '@celeriac/broker';
import { RevokedRepository } from '@celeriac/results';
import { TaskProducer } from '@celeriac/tasks';
import { bootMonitor, useEnvironment } from '../utils/boot-apps';
import { launchChromium } from '../utils/chromium';
import {
  activeQueues,
  callControl,
  type ControlTargets,
  monitorControls,
  monitorGet,
  scheduleBoardReadOnly,
  waitForTaskState,
  waitForWorkerOnline,
} from '../utils/monitor-controls';
import { deleteQueue } from '../utils/rabbitmq';
import { WorkerProcess } from '../utils/worker-process';

const run = randomUUID();
const queue = `e2e-monitor-read-only-${run}`;
const otherQueue = `e2e-monitor-read-only-other-${run}`;
const worker = `e2e-monitor-read-only-${run}@test`;
const user = { username: 'viewer', password: `pw-${run}` };
useEnvironment({
  TASK_DEFAULT_QUEUE: queue,
  MONITOR_QUEUES: queue,
  // Built from the sources by the e2e globalSetup.
  MONITOR_DASHBOARD_DIR: 'dist/monitor-dashboard',
  MONITOR_BASIC_AUTH: `${user.username}:${user.password}`,
  MONITOR_API_KEYS: '',
  // Even the opt-out does not open a read-only monitor.
  MONITOR_UNAUTHENTICATED_API: 'true',
  MONITOR_READ_ONLY: 'true',
});

const SCREENSHOTS = join(process.cwd(), 'test-results');
const UI_TIMEOUT = 30_000;

describe('monitor with MONITOR_READ_ONLY=true', () => {
  let monitor: INestApplication;
  let workerProcess: WorkerProcess;
  let targets: ControlTargets;
  let browser: Browser | undefined;
  const viewer = `Basic ${Buffer.from(`${user.username}:${user.password}`).toString('base64')}`;

  beforeAll(async () => {
    monitor = await bootMonitor();
    workerProcess = await WorkerProcess.start({
      WORKER_HOSTNAME: worker,
      WORKER_QUEUES: queue,
      TASK_DEFAULT_QUEUE: queue,
      WORKER_CONCURRENCY: '1',
      TASK_TIME_SCALE: '0',
      LOG_LEVEL: 'info',
    });
    await waitForWorkerOnline(monitor, worker, viewer);
    const { taskId } = await monitor
      .get(TaskProducer)
      .sendTask('add_task', { args: ['x', 1], queue });
    expect(await waitForTaskState(monitor, taskId, ['FAILURE'], viewer)).toBe(
      'FAILURE',
    );
    targets = { worker, queue, otherQueue, failedTaskId: taskId };
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await workerProcess?.stop();
    await monitor?.close();
    await deleteQueue(queue);
  }, 30_000);

  it('answers every control 403, with the right credentials too, and does nothing', async () => {
    for (const call of monitorControls(targets)) {
      const response = await callControl(monitor, call, viewer);

      expect({ call: call.name, status: response.status }).toEqual({
        call: call.name,
        status: 403,
      });
      expect(response.type).toBe('application/problem+json');
      expect(response.body).toMatchObject({
        title: 'Forbidden',
        status: 403,
        code: 'READ_ONLY',
        instance: call.path,
      });
      // Without credentials it is the 401 of any path.
      const anonymous = await callControl(monitor, call);
      expect(anonymous.status).toBe(401);
    }

    // Sent last, in queue order, on one slot: it succeeding means nothing
    // the controls could have published is left unseen.
    const { taskId: sentinel } = await monitor
      .get(TaskProducer)
      .sendTask('add_task', { args: [40, 2], queue });
    expect(await waitForTaskState(monitor, sentinel, ['SUCCESS'], viewer)).toBe(
      'SUCCESS',
    );
    const tasks = (
      await monitorGet(monitor, `/api/tasks?workername=${worker}`, viewer)
    ).body as Record<string, unknown>;
    expect(Object.keys(tasks).sort()).toEqual(
      [targets.failedTaskId, sentinel].sort(),
    );
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
  }, 60_000);

  it('keeps the read views open to the credentials and tells the dashboard', async () => {
    await monitorGet(monitor, '/api/tasks', viewer).expect(200);
    await monitorGet(monitor, '/metrics', viewer).expect(200);
    const config = await monitorGet(
      monitor,
      '/api/monitor/config',
      viewer,
    ).expect(200);

    expect(await scheduleBoardReadOnly(monitor, viewer)).toBe(true);
    expect(config.body).toEqual({
      readOnly: true,
      controls: false,
      authentication: ['basic'],
    });
  });

  it('shows a failed task in the dashboard without revoke, terminate or retry', async () => {
    await monitor.listen(0, '127.0.0.1');
    const { port } = monitor.getHttpServer().address() as AddressInfo;
    browser = await launchChromium();
    const context = await browser.newContext({
      viewport: { width: 1400, height: 900 },
      httpCredentials: user,
    });
    const page = await context.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));

    await page.goto(`http://127.0.0.1:${port}/#/task/${targets.failedTaskId}`);
    const detail = page.locator('[data-testid="task-detail"]');
    await detail
      .locator('[data-testid="task-state"]', { hasText: 'Failure' })
      .waitFor({ timeout: UI_TIMEOUT });

    await expect(
      detail.locator('[data-testid="controls-off"]').innerText(),
    ).resolves.toBe('Read-only monitor');
    for (const action of [
      'action-revoke',
      'action-terminate',
      'action-retry',
    ]) {
      await expect(
        detail.locator(`[data-testid="${action}"]`).count(),
      ).resolves.toBe(0);
    }
    mkdirSync(SCREENSHOTS, { recursive: true });
    await page.screenshot({
      path: join(SCREENSHOTS, 'monitor-dashboard-read-only.png'),
      fullPage: true,
    });
    expect(pageErrors).toEqual([]);
  }, 60_000);
});
