// MONITOR_BASIC_AUTH and MONITOR_API_KEYS protect everything but the
// probes, and with either the controls work, down to a real worker
// process's shutdown; without a dashboard build the monitor still starts
// and / says how to build it.
import type { INestApplication } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { TaskProducer } from '@celeriac/tasks';
import { bootMonitor, useEnvironment } from '../utils/boot-apps';
import {
  callControl,
  type ControlTargets,
  expectControlEffects,
  expectControlsWork,
  monitorControls,
  scheduleBoardReadOnly,
  waitForTaskState,
  waitForWorkerOnline,
} from '../utils/monitor-controls';
import { parsePrometheusText } from '../utils/prometheus-text';
import {
  BOOT_TIMEOUT_MS,
  TEARDOWN_TIMEOUT_MS,
  teardown,
} from '../utils/teardown';
import { deleteQueue } from '../utils/rabbitmq';
import { WorkerProcess } from '../utils/worker-process';

const run = randomUUID();
const queue = `e2e-monitor-auth-${run}`;
const otherQueue = `e2e-monitor-auth-other-${run}`;
const worker = `e2e-monitor-auth-${run}@test`;
const key = `monitor-key-${run}`;
useEnvironment({
  TASK_DEFAULT_QUEUE: queue,
  MONITOR_QUEUES: queue,
  MONITOR_BASIC_AUTH: 'admin:s3cret:with-colon',
  MONITOR_API_KEYS: `other-key, ${key}`,
  MONITOR_UNAUTHENTICATED_API: 'false',
  MONITOR_READ_ONLY: 'false',
  MONITOR_DASHBOARD_DIR: `/nonexistent/monitor-dashboard-${run}`,
});

const basic = (credentials: string) =>
  `Basic ${Buffer.from(credentials).toString('base64')}`;

const bearer = `Bearer ${key}`;

describe('monitor with MONITOR_BASIC_AUTH and MONITOR_API_KEYS', () => {
  let monitor: INestApplication;
  let workerProcess: WorkerProcess;
  let targets: ControlTargets;
  const http = () => request(monitor.getHttpServer());
  const admin = basic('admin:s3cret:with-colon');

  beforeAll(async () => {
    monitor = await bootMonitor();
    workerProcess = await WorkerProcess.start({
      WORKER_HOSTNAME: worker,
      WORKER_QUEUES: queue,
      TASK_DEFAULT_QUEUE: queue,
      TASK_TIME_SCALE: '0',
      LOG_LEVEL: 'info',
    });
    await waitForWorkerOnline(monitor, worker, admin);
    const { taskId } = await monitor
      .get(TaskProducer)
      .sendTask('add_task', { args: ['x', 1], queue });
    expect(await waitForTaskState(monitor, taskId, ['FAILURE'], bearer)).toBe(
      'FAILURE',
    );
    targets = { worker, queue, otherQueue, failedTaskId: taskId };
  }, BOOT_TIMEOUT_MS);

  afterAll(
    () =>
      teardown(
        () => workerProcess?.stop(),
        () => monitor?.close(),
        () => deleteQueue(queue),
        () => deleteQueue(otherQueue),
      ),
    TEARDOWN_TIMEOUT_MS,
  );

  it.each([
    '/api/workers?status=1',
    '/api/tasks',
    '/metrics',
    '/',
    '/api/monitor/events',
    '/queues',
    '/queues/api/queues',
  ])('asks for credentials on %s', async (path) => {
    const response = await http().get(path).expect(401);

    expect(response.headers['www-authenticate']).toMatch(/^Basic realm=/);
    expect(response.body).toMatchObject({ status: 401, code: 'UNAUTHORIZED' });
  });

  it.each([
    ['a wrong password', basic('admin:wrong')],
    ['a wrong user', basic('root:s3cret:with-colon')],
    ['no colon', basic('admin')],
    ['an unknown bearer key', 'Bearer s3cret'],
    ['a key given as Basic', basic(key)],
  ])('refuses %s', async (_, authorization) => {
    await http()
      .get('/api/tasks')
      .set('Authorization', authorization)
      .expect(401);
  });

  it('answers with the right credentials', async () => {
    const tasks = await http()
      .get('/api/tasks')
      .set('Authorization', basic('admin:s3cret:with-colon'))
      .expect(200);
    const metrics = await http()
      .get('/metrics')
      .set('Authorization', basic('admin:s3cret:with-colon'))
      .expect(200);

    expect(typeof tasks.body).toBe('object');
    expect(
      parsePrometheusText(metrics.text).get('flower_events_total'),
    ).toMatchObject({
      type: 'counter',
      help: 'Number of events',
    });
  });

  it('answers reads, metrics included, with a bearer key', async () => {
    await http().get('/api/tasks').set('Authorization', bearer).expect(200);
    await http().get('/metrics').set('Authorization', bearer).expect(200);
  });

  it('names both schemes in the challenge', async () => {
    const response = await http().get('/api/tasks').expect(401);

    expect(response.headers['www-authenticate']).toBe(
      'Basic realm="celeriac monitor", charset="UTF-8", Bearer realm="celeriac monitor"',
    );
  });

  it('refuses every control without credentials or with wrong ones', async () => {
    for (const authorization of [
      undefined,
      'Bearer s3cret',
      basic('admin:x'),
    ]) {
      for (const call of monitorControls(targets)) {
        const response = await callControl(monitor, call, authorization);

        expect({ call: call.name, status: response.status }).toEqual({
          call: call.name,
          status: 401,
        });
        expect(response.body).toMatchObject({ code: 'UNAUTHORIZED' });
      }
    }
    expect(workerProcess.running).toBe(true);
  });

  it('tells the dashboard that its controls work, and how to authenticate', async () => {
    const config = await http()
      .get('/api/monitor/config')
      .set('Authorization', admin)
      .expect(200);

    expect(await scheduleBoardReadOnly(monitor, admin)).toBe(false);
    expect(config.body).toEqual({
      readOnly: false,
      controls: true,
      authentication: ['basic', 'bearer'],
    });
  });

  it('runs every control with HTTP Basic', async () => {
    const effects = await expectControlsWork(monitor, targets, admin);
    await expectControlEffects(monitor, targets, effects, admin);
  }, 60_000);

  it('runs every control with a bearer key, then shuts the worker down', async () => {
    const effects = await expectControlsWork(monitor, targets, bearer);
    await expectControlEffects(monitor, targets, effects, bearer);

    const shutdown = monitorControls(targets).find(
      (call) => call.name === 'worker shutdown',
    );
    const answer = await callControl(monitor, shutdown!, bearer).expect(200);
    expect(answer.body).toEqual({ message: 'Shutting down!' });
    expect(await workerProcess.exited).toEqual({ code: 0, signal: null });
  }, 60_000);

  it("serves Bull Board's schedule queue at /queues with the right credentials", async () => {
    const board = await http()
      .get('/queues/api/queues')
      .set('Authorization', basic('admin:s3cret:with-colon'))
      .expect(200);

    expect(
      (board.body as { queues: { name: string }[] }).queues.map(
        (queue) => queue.name,
      ),
    ).toContain('celeriac.schedule');
  });

  it('leaves the health probes open', async () => {
    expect((await http().get('/healthcheck').expect(200)).text).toBe('OK');
    await http().get('/health/live').expect(200);
    await http().get('/health/ready').expect(200);
  });

  it('answers / with a 503 saying to build the dashboard when it is missing', async () => {
    const response = await http()
      .get('/')
      .set('Authorization', basic('admin:s3cret:with-colon'))
      .expect(503);

    expect(response.type).toBe('text/plain');
    expect(response.text).toContain('npm run build');
  });
});
