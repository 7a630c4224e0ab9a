// The monitor against a real celeriac worker on RabbitMQ and Redis: it lists
// the worker online, shows its tasks with Flower's keys, states and runtimes,
// answers Flower's REST API and the dashboard's extensions, exposes Flower's
// metrics, follows progress, rebuilds history after a restart, and sees the
// worker go offline.
import { Controller, type INestApplication, Module } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { get } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { ControlClient } from '@celeriac/broker';
import { RevokedRepository } from '@celeriac/results';
import { Task, type TaskCall, TaskProducer } from '@celeriac/tasks';
import type {
  MonitorQueue,
  MonitorStats,
  MonitorWorker,
} from '../../apps/monitor/src/contract/monitor-views';
import { bootMonitor, bootWorker, useEnvironment } from '../utils/boot-apps';
import { pollUntil } from '../utils/poll-until';
import { parsePrometheusText } from '../utils/prometheus-text';
import { deleteQueue } from '../utils/rabbitmq';
import {
  BOOT_TIMEOUT_MS,
  TEARDOWN_TIMEOUT_MS,
  teardown,
} from '../utils/teardown';

const queue = `e2e-monitor-${randomUUID()}`;
const hostname = `e2e-monitor-${randomUUID()}@host`;
const dashboard = mkdtempSync(join(tmpdir(), 'monitor-dashboard-'));
writeFileSync(
  join(dashboard, 'index.html'),
  '<!doctype html><title>celeriac monitor</title>',
);
useEnvironment({
  TASK_DEFAULT_QUEUE: queue,
  WORKER_QUEUES: queue,
  WORKER_HOSTNAME: hostname,
  TASK_TIME_SCALE: '0',
  WORKER_SEND_EVENTS: 'true',
  MONITOR_QUEUES: queue,
  MONITOR_DASHBOARD_DIR: dashboard,
  // These suites drive the controls (send, revoke, time limits, consumers):
  // no credentials, so the explicit opt-out (monitor-controls.e2e-spec.ts
  // shows the default refusing them).
  MONITOR_UNAUTHENTICATED_API: 'true',
  // The shared Redis may hold many newer results than this file's (other
  // suites, benchmarks): the restart test needs all of them loaded.
  MONITOR_MAX_TASKS: '1000000',
  // Countdowns stay with the worker, as in Celery: the revoke test needs a
  // task the worker holds (RECEIVED), not one kept in BullMQ.
  BEAT_DELAY_THRESHOLD: '0',
});

/** Flower's task dict keys (celery.events.state.Task._fields) plus celeriac's progress. */
const TASK_KEYS = [
  'uuid',
  'name',
  'state',
  'received',
  'sent',
  'started',
  'rejected',
  'succeeded',
  'failed',
  'retried',
  'revoked',
  'args',
  'kwargs',
  'eta',
  'expires',
  'retries',
  'result',
  'exception',
  'timestamp',
  'runtime',
  'traceback',
  'exchange',
  'routing_key',
  'clock',
  'client',
  'root',
  'root_id',
  'parent',
  'parent_id',
  'children',
  'worker',
  'progress',
].sort();

let releaseProgress: () => void = () => undefined;

@Controller()
class MonitorTestTasks {
  /** Reports half its progress, then waits for the test to let it finish. */
  @Task({ name: 'monitor_progress_task', params: [] })
  async progress({ request: call }: TaskCall<[]>): Promise<string> {
    await call.progress({ current: 1, total: 2 });
    await new Promise<void>((resolve) => (releaseProgress = resolve));
    return 'done';
  }

  /** Runs 20 s unless its signal aborts it (the soft time limit). */
  @Task({ name: 'monitor_wait_task', params: [] })
  wait({ request: call }: TaskCall<[]>): Promise<string> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => resolve('waited'), 20_000);
      call.signal.addEventListener('abort', () => {
        clearTimeout(timer);
        reject(call.signal.reason as Error);
      });
    });
  }
}

@Module({ controllers: [MonitorTestTasks] })
class MonitorTestTasksModule {}

type TaskDict = Record<string, unknown> & { state: string; uuid: string };

describe('monitor with a celeriac worker', () => {
  let monitor: INestApplication;
  let worker: INestApplication | undefined;
  let producer: TaskProducer;
  const http = () => request(monitor.getHttpServer());

  /** GETs `path` (200 each time) until `done` accepts its JSON body. */
  const getUntil = <T>(
    path: string,
    done: (body: T) => boolean,
    options?: Parameters<typeof pollUntil>[2],
  ) =>
    pollUntil(
      async () => (await http().get(path).expect(200)).body as T,
      done,
      options,
    );
  const info = async (id: string) =>
    (await http().get(`/api/task/info/${id}`)).body as TaskDict;
  const waitForState = (id: string, state: string) =>
    pollUntil(
      () => info(id),
      (task) => task.state === state,
      { timeoutMs: 20_000, intervalMs: 100 },
    );
  const metrics = async () =>
    parsePrometheusText((await http().get('/metrics').expect(200)).text);
  const sample = (
    families: ReturnType<typeof parsePrometheusText>,
    family: string,
    name: string,
    labels: Record<string, string>,
  ) =>
    families
      .get(family)
      ?.samples.find(
        (candidate) =>
          candidate.name === name &&
          Object.entries(labels).every(
            ([key, value]) => candidate.labels[key] === value,
          ),
      )?.value ?? 0;

  beforeAll(async () => {
    monitor = await bootMonitor();
    worker = await bootWorker({ imports: [MonitorTestTasksModule] });
    producer = worker.get(TaskProducer);
  }, BOOT_TIMEOUT_MS);

  afterAll(
    () =>
      teardown(
        () => releaseProgress(),
        () => worker?.close(),
        () => monitor?.close(),
        () => deleteQueue(queue),
      ),
    TEARDOWN_TIMEOUT_MS,
  );

  it('lists the worker online from its heartbeats', async () => {
    const workers = await getUntil<MonitorWorker[]>(
      '/api/monitor/workers',
      (list) => list.some((w) => w.hostname === hostname && w.online),
    );
    const mine = workers.find((w) => w.hostname === hostname);

    expect(mine).toEqual({
      hostname,
      online: true,
      lastHeartbeat: expect.any(Number),
      heartbeatAgeSeconds: expect.any(Number),
      active: expect.any(Number),
      processed: expect.any(Number),
      loadavg: expect.any(Array),
      swIdent: 'celeriac',
      swVer: expect.any(String),
      pid: process.pid,
      freq: 2,
    });
    const status = await http().get('/api/workers?status=1').expect(200);
    expect(status.body).toMatchObject({ [hostname]: true });
  });

  it("collects the worker's pidbox replies with the ControlClient", async () => {
    const replies = await monitor.get(ControlClient).broadcast('ping', {
      reply: true,
      destination: [hostname],
      timeout: 5,
    });

    expect(replies).toEqual([{ [hostname]: { ok: 'pong' } }]);
  });

  let succeededId: string;
  let failedId: string;

  it("shows the tasks with Flower's keys, states and runtimes", async () => {
    const before = await metrics();
    ({ taskId: succeededId } = await producer.sendTask('add_task', {
      args: [2, 3],
    }));
    ({ taskId: failedId } = await producer.sendTask('add_task', {
      args: ['x', 1],
    }));

    const succeeded = await waitForState(succeededId, 'SUCCESS');
    const failed = await waitForState(failedId, 'FAILURE');

    expect(Object.keys(succeeded).sort()).toEqual(TASK_KEYS);
    expect(succeeded).toMatchObject({
      uuid: succeededId,
      name: 'add_task',
      state: 'SUCCESS',
      args: '[2, 3]',
      result: '5',
      worker: hostname,
      received: expect.any(Number),
      started: expect.any(Number),
      succeeded: expect.any(Number),
      runtime: expect.any(Number),
      progress: null,
    });
    expect(succeeded.runtime as number).toBeGreaterThanOrEqual(0);
    expect(failed).toMatchObject({
      state: 'FAILURE',
      failed: expect.any(Number),
      exception: expect.stringContaining('Error'),
    });

    const after = await metrics();
    const labels = { worker: hostname, task: 'add_task' };
    expect(
      sample(after, 'flower_events_total', 'flower_events_total', {
        ...labels,
        type: 'task-succeeded',
      }) -
        sample(before, 'flower_events_total', 'flower_events_total', {
          ...labels,
          type: 'task-succeeded',
        }),
    ).toBe(1);
    expect(
      sample(after, 'flower_events_total', 'flower_events_total', {
        ...labels,
        type: 'task-failed',
      }),
    ).toBe(1);
    expect(
      sample(
        after,
        'flower_task_runtime_seconds',
        'flower_task_runtime_seconds_count',
        labels,
      ),
    ).toBe(1);
    expect(
      sample(after, 'flower_worker_online', 'flower_worker_online', {
        worker: hostname,
      }),
    ).toBe(1);
    expect(after.get('flower_task_runtime_seconds')?.type).toBe('histogram');
    expect(after.get('flower_worker_prefetched_tasks')?.type).toBe('gauge');
    expect(
      after.get('flower_worker_number_of_currently_executing_tasks')?.type,
    ).toBe('gauge');
    expect(after.get('flower_task_prefetch_time_seconds')?.type).toBe('gauge');
  });

  it("filters, sorts and pages /api/tasks with Flower's parameters", async () => {
    const all = await http()
      .get('/api/tasks')
      .query({ workername: hostname, taskname: 'add_task' })
      .expect(200);
    expect(Object.keys(all.body as object).sort()).toEqual(
      [succeededId, failedId].sort(),
    );

    const failures = await http()
      .get('/api/tasks')
      .query({ workername: hostname, state: 'FAILURE' })
      .expect(200);
    expect(Object.keys(failures.body as object)).toEqual([failedId]);

    const newest = await http()
      .get('/api/tasks')
      .query({ workername: hostname, sort_by: '-received', limit: 1 })
      .expect(200);
    expect(Object.keys(newest.body as object)).toEqual([failedId]);

    const searched = await http()
      .get('/api/tasks')
      .query({ workername: hostname, search: 'result:5' })
      .expect(200);
    expect(Object.keys(searched.body as object)).toEqual([succeededId]);

    const types = await http().get('/api/task/types').expect(200);
    expect((types.body as { 'task-types': string[] })['task-types']).toContain(
      'add_task',
    );
    const result = await http()
      .get(`/api/task/result/${succeededId}`)
      .expect(200);
    expect(result.body).toEqual({
      'task-id': succeededId,
      state: 'SUCCESS',
      result: 5,
    });
  });

  it.each([
    ['/api/tasks?limit=-1', 'limit'],
    ['/api/tasks?offset=x', 'offset'],
    ['/api/tasks?sort_by=color', 'sort_by'],
    ['/api/tasks?received_start=yesterday', 'received_start'],
    ['/api/workers?refresh=maybe', 'refresh'],
  ])('refuses %s with a 400 problem naming %s', async (path, parameter) => {
    const response = await http().get(path).expect(400);

    expect(response.type).toBe('application/problem+json');
    expect(response.body).toMatchObject({
      status: 400,
      code: 'BAD_REQUEST',
      detail: expect.stringContaining(parameter),
    });
  });

  it('answers 404 problems for unknown tasks and workers', async () => {
    const unknown = randomUUID();

    await http().get(`/api/task/info/${unknown}`).expect(404);
    await http().get(`/api/task/result/${unknown}`).expect(404);
    await http().post(`/api/task/revoke/${unknown}`).expect(404);
    await http().post(`/api/monitor/tasks/${unknown}/retry`).expect(404);
    await http().post('/api/worker/shutdown/nobody@nowhere').expect(404);
    // Unique: the shared Redis remembers other suites' unknown task names.
    const name = `no_such_task_${randomUUID()}`;
    const response = await http()
      .post(`/api/task/async-apply/${name}`)
      .send({ args: [] })
      .expect(404);
    expect(response.body).toMatchObject({
      code: 'NOT_FOUND',
      detail: `Unknown task '${name}'`,
    });
  });

  it("sets a task's time limits on a worker through Flower's task/timeout", async () => {
    // The monitor knows the task once the worker's registered list is in.
    await http().get('/api/workers').query({ refresh: 1 }).expect(200);
    const timeout = (
      query: Record<string, string>,
      task = 'monitor_wait_task',
    ) => http().post(`/api/task/timeout/${task}`).query(query);

    const set = await timeout({
      workername: hostname,
      soft: '0.2',
      hard: '5',
    }).expect(200);
    expect(set.body).toEqual({ message: 'time limits set successfully' });

    const { taskId } = await producer.sendTask('monitor_wait_task');
    const failed = await waitForState(taskId, 'FAILURE');
    expect(failed.exception).toMatch(/SoftTimeLimitExceeded/);

    // A form body works as Flower's does; no soft or hard takes them off.
    await http()
      .post('/api/task/timeout/monitor_wait_task')
      .type('form')
      .send({ workername: hostname })
      .expect(200);

    await timeout({ soft: '1' }).expect(400);
    await timeout({ workername: hostname, soft: '-1' }).expect(400);
    await timeout({ workername: 'nobody@nowhere' }).expect(404);
    const unknown = await timeout(
      { workername: hostname },
      `no_such_task_${randomUUID()}`,
    ).expect(404);
    expect(unknown.body).toMatchObject({ code: 'NOT_FOUND' });
  });

  it('sends tasks through async-apply and send-task', async () => {
    const applied = await http()
      .post('/api/task/async-apply/add_task')
      .send({ args: [4, 5], queue })
      .expect(200);
    const sent = await http()
      .post('/api/task/send-task/add_task')
      .send({ args: [1], kwargs: { b: 1 } })
      .expect(200);

    // The state the backend has right after publishing: PENDING, or later if the worker was quick.
    expect(applied.body).toEqual({
      'task-id': expect.any(String),
      state: expect.stringMatching(/^(PENDING|RECEIVED|STARTED|SUCCESS)$/),
    });
    const appliedId = (applied.body as { 'task-id': string })['task-id'];
    const sentId = (sent.body as { 'task-id': string })['task-id'];
    expect((await waitForState(appliedId, 'SUCCESS')).result).toBe('9');
    expect((await waitForState(sentId, 'SUCCESS')).result).toBe('2');
  });

  it.each([
    ['bad JSON', '{"args": [1,', 'application/json'],
    ['args that are not a list', '{"args": {"a": 1}}', 'application/json'],
    ['kwargs that are a list', '{"kwargs": [1]}', 'application/json'],
    ['an unknown option', '{"args": [], "colour": "red"}', 'application/json'],
    ['a body that is a list', '[1, 2]', 'application/json'],
    ['a negative countdown', '{"countdown": -1}', 'application/json'],
    ['an eta that is no date', '{"eta": "soon"}', 'application/json'],
  ])('refuses %s with a 400 problem', async (_, body, type) => {
    const response = await http()
      .post('/api/task/send-task/add_task')
      .set('Content-Type', type)
      .send(body)
      .expect(400);

    expect(response.body).toMatchObject({ status: 400 });
    expect(typeof (response.body as { detail: unknown }).detail).toBe('string');
  });

  it('retries a failed task as a new one and refuses others', async () => {
    const retried = await http()
      .post(`/api/monitor/tasks/${failedId}/retry`)
      .expect(200);
    const newId = (retried.body as { 'task-id': string })['task-id'];

    expect(newId).not.toBe(failedId);
    const again = await waitForState(newId, 'FAILURE');
    expect(again).toMatchObject({ name: 'add_task', args: "['x', 1]" });
    const conflict = await http()
      .post(`/api/monitor/tasks/${succeededId}/retry`)
      .expect(409);
    expect(conflict.body).toMatchObject({ code: 'CONFLICT' });
  });

  it('revokes a task through the revoked store and the pidbox', async () => {
    const { taskId } = await producer.sendTask('add_task', {
      args: [1, 1],
      countdown: 60,
    });
    expect((await waitForState(taskId, 'RECEIVED')).state).toBe('RECEIVED');

    const response = await http()
      .post(`/api/task/revoke/${taskId}?terminate=true&signal=SIGTERM`)
      .expect(200);

    expect(response.body).toEqual({ message: `Revoked '${taskId}'` });
    // Stored where every worker (and a restarted one) reads revoked ids.
    expect(await monitor.get(RevokedRepository).isRevoked(taskId)).toBe(true);
  });

  it('shows progress from the result backend while the task runs', async () => {
    const { taskId } = await producer.sendTask('monitor_progress_task');
    try {
      const running = await waitForState(taskId, 'PROGRESS');
      expect(running.progress).toEqual({ current: 1, total: 2 });
      const listed = await getUntil<Record<string, TaskDict>>(
        '/api/tasks?taskname=monitor_progress_task',
        (tasks) => tasks[taskId] !== undefined,
      );
      expect(listed[taskId]).toMatchObject({
        state: 'PROGRESS',
        progress: { current: 1, total: 2 },
      });
    } finally {
      // Never leave the task running: the worker's shutdown would wait for it.
      releaseProgress();
    }
    expect((await waitForState(taskId, 'SUCCESS')).result).toBe("'done'");
  });

  it('streams task events over SSE', async () => {
    const server = (
      monitor.getHttpServer() as import('node:http').Server
    ).listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    const { port } = server.address() as AddressInfo;
    const chunks: string[] = [];
    const stream = await new Promise<import('node:http').IncomingMessage>(
      (resolve) => {
        get(`http://127.0.0.1:${port}/api/monitor/events`, resolve);
      },
    );
    stream.on('data', (chunk: Buffer) => chunks.push(chunk.toString('utf8')));
    try {
      expect(stream.headers['content-type']).toContain('text/event-stream');
      const { taskId } = await producer.sendTask('add_task', { args: [7, 7] });

      // Events arrive in order (received, started, succeeded): wait for the
      // last, on a complete line (a chunk may end mid-line).
      const successLine = (text: string) =>
        text
          .split('\n')
          .slice(0, -1)
          .find(
            (candidate) =>
              candidate.startsWith('data: ') &&
              candidate.includes(`"uuid":"${taskId}"`) &&
              candidate.includes('"state":"SUCCESS"'),
          );
      const text = await pollUntil(
        () => Promise.resolve(chunks.join('')),
        (seen) => successLine(seen) !== undefined,
      );
      const line = successLine(text);
      expect(line).toBeDefined();
      expect(
        JSON.parse((line as string).slice('data: '.length)) as TaskDict,
      ).toMatchObject({ uuid: taskId, state: 'SUCCESS', progress: null });
      expect(text).toMatch(/^event: task$/m);
    } finally {
      stream.destroy();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('reports the queue, throughput and runtimes', async () => {
    const queues = await getUntil<MonitorQueue[]>(
      '/api/monitor/queues',
      (list) => list.some((q) => q.name === queue && q.publishRate !== null),
      { timeoutMs: 10_000, intervalMs: 500 },
    );
    expect(queues.find((q) => q.name === queue)).toEqual({
      name: queue,
      messages: expect.any(Number),
      consumers: 1,
      publishRate: expect.any(Number),
      deliverRate: expect.any(Number),
    });
    const lengths = await http().get('/api/queues/length').expect(200);
    expect(
      (lengths.body as { active_queues: { name: string }[] }).active_queues,
    ).toContainEqual({ name: queue, messages: expect.any(Number) });

    const stats = (await http().get('/api/monitor/stats').expect(200))
      .body as MonitorStats;
    expect(stats.throughput).toHaveLength(120);
    expect(stats.throughput[0]).toEqual({
      t: expect.any(Number),
      bucketSeconds: 5,
      counts: {
        SUCCESS: expect.any(Number),
        FAILURE: expect.any(Number),
        RETRY: expect.any(Number),
        REVOKED: expect.any(Number),
        STARTED: expect.any(Number),
        RECEIVED: expect.any(Number),
      },
    });
    const successes = stats.throughput.reduce(
      (sum, bucket) => sum + bucket.counts.SUCCESS,
      0,
    );
    expect(successes).toBeGreaterThanOrEqual(4);
    expect(stats.runtime.counts).toHaveLength(
      stats.runtime.bucketsSeconds.length,
    );
  });

  it('serves the dashboard, with index.html for client routes', async () => {
    const root = await http().get('/').expect(200);
    const route = await http().get('/tasks/some-id').expect(200);

    expect(root.text).toContain('celeriac monitor');
    expect(route.text).toContain('celeriac monitor');
    await http().get('/api/no-such-route').expect(404);
    expect((await http().get('/healthcheck').expect(200)).text).toBe('OK');
    await http().get('/health/ready').expect(200);
  });

  it('rebuilds its history from Redis after a restart', async () => {
    await monitor.close();
    monitor = await bootMonitor();

    const restored = await info(succeededId);
    expect(restored).toMatchObject({
      uuid: succeededId,
      name: 'add_task',
      state: 'SUCCESS',
      args: '[2, 3]',
      result: '5',
      worker: hostname,
      succeeded: expect.any(Number),
    });
    expect((await info(failedId)).state).toBe('FAILURE');
  });

  it('shows the worker offline once it stops', async () => {
    await getUntil<Record<string, boolean>>(
      '/api/workers?status=1',
      (status) => status[hostname] === true,
    );
    await worker?.close();
    worker = undefined;

    const workers = await getUntil<MonitorWorker[]>(
      '/api/monitor/workers',
      (list) => list.some((w) => w.hostname === hostname && !w.online),
    );
    expect(workers.find((w) => w.hostname === hostname)?.online).toBe(false);
  });
});
