// Python Celery's CLI (`celery inspect` / `celery control`) and app.control
// against a celeriac worker, as a user would run them: every answer below
// is what Python parsed from the celeriac worker's replies.
import type { INestApplication } from '@nestjs/common';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { connect } from 'amqplib';
import type { RequestInfo } from '@celeriac/worker';
import { bootWorker, useEnvironment } from '../utils/boot-apps';
import { pollUntil } from '../utils/poll-until';
import { deleteQueue, TEST_BROKER_URL, TEST_VHOST } from '../utils/rabbitmq';
import { WorkerProcess } from '../utils/worker-process';
import { InteropTasksModule } from './utils/interop-tasks.module';
import {
  childEnv,
  PYTHON,
  PYTHON_DIR,
  type PythonEnv,
  runPython,
} from './utils/python';
import {
  BOOT_TIMEOUT_MS,
  TEARDOWN_TIMEOUT_MS,
  teardown,
} from '../utils/teardown';

const execFileAsync = promisify(execFile);

const queue = `interop-control-${randomUUID()}`;
const hostname = `celeriac-control-${randomUUID()}@interop`;
useEnvironment({
  TASK_DEFAULT_QUEUE: queue,
  WORKER_QUEUES: queue,
  WORKER_HOSTNAME: hostname,
  // One slot, so a second task waits as `reserved` while the first runs.
  WORKER_CONCURRENCY: '1',
  // Prefetch = concurrency, so the running task holds the only prefetch slot.
  WORKER_PREFETCH_MULTIPLIER: '1',
  TASK_TIME_SCALE: '0',
  RESULT_EXPIRES: '300',
  // ETA tasks stay on this worker (no beat runs here), so `scheduled` and
  // `reserved` have something to show.
  BEAT_DELAY_THRESHOLD: '0',
});
const pythonEnv: PythonEnv = { INTEROP_QUEUE: queue, TASK_TIME_SCALE: '0' };

/** `celery -A interop_app <group> <command> [args] -d <node> --json`, parsed. */
async function celeryCli<T>(
  group: 'inspect' | 'control',
  command: string,
  args: string[] = [],
  node = hostname,
): Promise<Record<string, T>> {
  const { stdout } = await execFileAsync(
    PYTHON,
    [
      '-m',
      'celery',
      '-A',
      'interop_app',
      group,
      command,
      ...args,
      '-d',
      node,
      '--json',
      '-t',
      '5',
    ],
    { cwd: PYTHON_DIR, env: childEnv(pythonEnv), timeout: 30_000 },
  );
  return JSON.parse(stdout.trim().split('\n').pop() ?? '') as Record<string, T>;
}

const python = <T = Record<string, unknown>>(
  command: string,
  params: Record<string, unknown>,
  script = 'client.py',
) => runPython<T>(command, params, pythonEnv, { script });
const sendTask = async (
  name: string,
  args: unknown[],
  options: Record<string, unknown> = {},
) =>
  (await python<{ id: string }>('send_task', { name, args, queue, ...options }))
    .id;
const stateOf = async (id: string) =>
  (await python<{ state: string }>('state', { id })).state;
const broadcast = async (
  command: string,
  args: Record<string, unknown>,
  destination = hostname,
) =>
  (
    await python<{ replies: Record<string, unknown>[] | null }>(
      'broadcast',
      {
        command,
        arguments: args,
        destination: [destination],
        reply: true,
        timeout: 5,
      },
      'control.py',
    )
  ).replies;
const untilState = (id: string, state: string) =>
  pollUntil(
    () => stateOf(id),
    (found) => found === state,
    { timeoutMs: 20_000, intervalMs: 200 },
  );

async function messagesIn(name: string): Promise<number> {
  const connection = await connect(TEST_BROKER_URL);
  try {
    const channel = await connection.createChannel();
    return (await channel.checkQueue(name)).messageCount;
  } finally {
    await connection.close();
  }
}

describe('celery inspect / control against a celeriac worker', () => {
  let worker: INestApplication;
  const extraQueue = `interop-control-extra-${randomUUID()}`;

  beforeAll(async () => {
    worker = await bootWorker({ imports: [InteropTasksModule] });
  }, BOOT_TIMEOUT_MS);

  afterAll(
    () =>
      teardown(
        () => worker?.close(),
        () => deleteQueue(queue),
        () => deleteQueue(extraQueue).catch(() => undefined),
      ),
    TEARDOWN_TIMEOUT_MS,
  );

  it('inspect ping: pong from the celeriac node', async () => {
    expect(await celeryCli('inspect', 'ping')).toEqual({
      [hostname]: { ok: 'pong' },
    });
  });

  it('inspect registered lists the registered task names', async () => {
    const replies = await celeryCli<string[]>('inspect', 'registered');

    expect(Object.keys(replies)).toEqual([hostname]);
    expect(replies[hostname]).toEqual(
      expect.arrayContaining([
        'add_task',
        'multi_task',
        'sum_multiply_task',
        'sum_task',
        'sleep_task',
      ]),
    );
    expect(replies[hostname]).toEqual([...replies[hostname]].sort());
  });

  it('inspect stats counts the tasks just run, with broker, pool and rusage and no password', async () => {
    const ids = [
      await sendTask('sum_task', [[1, 2]]),
      await sendTask('sum_task', [[3, 4]]),
      await sendTask('multi_task', [2, 3]),
    ];
    for (const id of ids) {
      expect(await untilState(id, 'SUCCESS')).toBe('SUCCESS');
    }

    const replies = await celeryCli<Record<string, unknown>>(
      'inspect',
      'stats',
    );
    const stats = replies[hostname];

    expect(stats.total).toEqual({ sum_task: 2, multi_task: 1 });
    expect(stats).toMatchObject({
      pid: process.pid,
      clock: expect.stringMatching(/^\d+$/),
      uptime: expect.any(Number),
      prefetch_count: 1,
      pool: {
        implementation: 'celery.concurrency.solo:TaskPool',
        'max-concurrency': 1,
        processes: [process.pid],
        timeouts: [600, 1200],
      },
      broker: {
        hostname: '127.0.0.1',
        userid: 'guest',
        virtual_host: TEST_VHOST,
        port: 5672,
        transport: 'amqp',
        ssl: false,
      },
      rusage: { utime: expect.any(Number), maxrss: expect.any(Number) },
    });
    expect(stats.broker).not.toHaveProperty('password');
    expect(JSON.stringify(replies)).not.toContain('guest:guest');
  });

  it('inspect active, reserved, query_task and control revoke while a long task runs', async () => {
    // The prefetch is the concurrency (1) and a running task holds it, so a
    // task gets reserved (received, waiting for the slot) this way: an ETA
    // task taken in first (held, the prefetch grows meanwhile), then the
    // long one, which takes the slot before the ETA is due (15 s: time for
    // a few Python CLIs on a busy machine).
    const waiting = await sendTask('sum_task', [[5, 6]], { countdown: 15 });
    await pollUntil(
      () => celeryCli<{ request: RequestInfo }[]>('inspect', 'scheduled'),
      (replies) =>
        (replies[hostname] ?? []).some(({ request }) => request.id === waiting),
    );
    const long = await sendTask('sleep_task', [60]);
    const active = await pollUntil(
      () => celeryCli<RequestInfo[]>('inspect', 'active'),
      (replies) => (replies[hostname] ?? []).some(({ id }) => id === long),
    );
    expect(active[hostname]).toEqual([
      {
        id: long,
        name: 'sleep_task',
        args: [60],
        kwargs: {},
        type: 'sleep_task',
        hostname,
        time_start: expect.any(Number),
        acknowledged: false,
        delivery_info: {
          exchange: '',
          routing_key: queue,
          priority: 0,
          redelivered: false,
        },
        worker_pid: process.pid,
      },
    ]);

    const reserved = await pollUntil(
      () => celeryCli<RequestInfo[]>('inspect', 'reserved'),
      (replies) => (replies[hostname] ?? []).length > 0,
      { timeoutMs: 30_000 },
    );
    expect(reserved[hostname]).toEqual([
      expect.objectContaining({
        id: waiting,
        name: 'sum_task',
        args: [[5, 6]],
        time_start: null,
        worker_pid: null,
      }),
    ]);
    const queried = await celeryCli<Record<string, [string, RequestInfo]>>(
      'inspect',
      'query_task',
      [long, waiting],
    );
    expect(queried[hostname][long][0]).toBe('active');
    expect(queried[hostname][waiting][0]).toBe('reserved');

    // `celery control --json` prints the list of replies.
    const revoked = await celeryCli('control', 'revoke', [waiting]);
    expect(revoked).toEqual([
      { [hostname]: { ok: `tasks ${waiting} flagged as revoked` } },
    ]);
    const listed = await celeryCli<string[]>('inspect', 'revoked');
    expect(listed[hostname]).toContain(waiting);

    // Terminating the long task frees the slot: the revoked one never runs.
    await python(
      'revoke',
      { task_id: long, terminate: true, destination: [hostname] },
      'control.py',
    );
    expect(await untilState(long, 'REVOKED')).toBe('REVOKED');
    expect(await untilState(waiting, 'REVOKED')).toBe('REVOKED');
    const after = await celeryCli<RequestInfo[]>('inspect', 'active');
    expect(after[hostname]).toEqual([]);
  });

  it('inspect scheduled lists an ETA task with its eta, priority and request', async () => {
    const later = await sendTask('sum_task', [[7]], { countdown: 120 });
    const scheduled = await pollUntil(
      () =>
        celeryCli<{ eta: string; priority: number; request: RequestInfo }[]>(
          'inspect',
          'scheduled',
        ),
      (replies) => (replies[hostname] ?? []).length > 0,
    );

    expect(scheduled[hostname]).toEqual([
      {
        eta: expect.any(String),
        priority: 0,
        request: expect.objectContaining({ id: later, name: 'sum_task' }),
      },
    ]);
    const eta = Date.parse(scheduled[hostname][0].eta);
    expect(eta).toBeGreaterThan(Date.now() + 60_000);
    const reserved = await celeryCli<RequestInfo[]>('inspect', 'reserved');
    expect(reserved[hostname]).toEqual([]);
  });

  it("inspect active_queues and conf: kombu's queue shape, Celery's setting names, masked URLs", async () => {
    const queues = await celeryCli<Record<string, unknown>[]>(
      'inspect',
      'active_queues',
    );
    expect(queues[hostname]).toEqual([
      expect.objectContaining({
        name: queue,
        exchange: expect.objectContaining({
          name: queue,
          type: 'direct',
          durable: true,
        }),
        routing_key: queue,
        durable: true,
        exclusive: false,
        auto_delete: false,
        no_ack: false,
      }),
    ]);

    const conf = await celeryCli<Record<string, unknown>>('inspect', 'conf');
    expect(conf[hostname]).toMatchObject({
      broker_url: `amqp://guest:********@127.0.0.1:5672/${TEST_VHOST}`,
      task_default_queue: queue,
      worker_concurrency: 1,
      result_expires: 300,
    });
  });

  it('add_consumer makes a queue run here; cancel_consumer leaves its next task in the queue', async () => {
    const added = await broadcast('add_consumer', { queue: extraQueue });
    expect(added).toEqual([
      { [hostname]: { ok: `add consumer ${extraQueue}` } },
    ]);
    const queues = await celeryCli<{ name: string }[]>(
      'inspect',
      'active_queues',
    );
    expect(queues[hostname].map(({ name }) => name)).toEqual([
      queue,
      extraQueue,
    ]);

    const ran = (
      await python<{ id: string }>('send_task', {
        name: 'sum_task',
        args: [[20, 22]],
        queue: extraQueue,
      })
    ).id;
    expect(await untilState(ran, 'SUCCESS')).toBe('SUCCESS');

    const cancelled = await broadcast('cancel_consumer', { queue: extraQueue });
    expect(cancelled).toEqual([
      { [hostname]: { ok: `no longer consuming from ${extraQueue}` } },
    ]);
    const left = (
      await python<{ id: string }>('send_task', {
        name: 'sum_task',
        args: [[1]],
        queue: extraQueue,
      })
    ).id;
    expect(
      await pollUntil(
        () => messagesIn(extraQueue),
        (count) => count === 1,
      ),
    ).toBe(1);
    // Still there a moment later, and never started.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(await messagesIn(extraQueue)).toBe(1);
    expect(await stateOf(left)).toBe('PENDING');
  });

  it('shutdown: a celeriac worker process takes its warm shutdown and exits 0', async () => {
    const node = `celeriac-shutdown-${randomUUID()}@interop`;
    const process = await WorkerProcess.start({
      WORKER_HOSTNAME: node,
      WORKER_QUEUES: queue,
      TASK_DEFAULT_QUEUE: queue,
      LOG_LEVEL: 'info',
    });
    const pong = await celeryCli('inspect', 'ping', [], node);
    expect(pong).toEqual({ [node]: { ok: 'pong' } });

    await python(
      'broadcast',
      { command: 'shutdown', destination: [node] },
      'control.py',
    );

    expect(await process.exited).toEqual({ code: 0, signal: null });
    expect(process.logs().map(({ msg }) => msg)).toEqual(
      expect.arrayContaining(['Got shutdown from remote', 'warm shutdown']),
    );
  });
});
