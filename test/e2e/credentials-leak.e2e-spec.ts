// Passwords never leak, over plain connections (credentials-tls covers
// TLS): the api, worker, beat and monitor run as real processes (debug
// logs captured) against a Redis this test owns, with requirepass and an
// ACL user, and a RabbitMQ user this test creates on the shared broker
// (deleted afterwards); the monitor's Basic password, a process given a
// wrong Redis password and beat are covered too. After the seed flow, the health
// probes, the worker's `inspect conf` / `stats` replies (through the
// monitor's /api/workers), its views and a process given a wrong password,
// no captured byte holds any of the distinctive passwords.
import { execFileSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pollUntil } from '../utils/poll-until';
import { type OwnedRedis, startOwnedRedis } from '../utils/owned-redis';
import { brokerUrl, deleteQueue, TEST_VHOST } from '../utils/rabbitmq';
import {
  API_APP,
  BEAT_APP,
  type BuiltApp,
  MONITOR_APP,
  WorkerProcess,
} from '../utils/worker-process';

const RESULTS = join(process.cwd(), 'test-results');

// Distinctive, so a hit cannot be a coincidence; letters and digits only,
// so no URL encoding hides one.
const secret = (label: string) => `${label}${randomBytes(12).toString('hex')}`;
const redisPassword = secret('redispw');
const aclPassword = secret('aclpw');
const amqpPassword = secret('amqppw');
const wrongPassword = secret('wrongpw');
const monitorPassword = secret('monitorpw');
const PASSWORDS = [
  redisPassword,
  aclPassword,
  amqpPassword,
  wrongPassword,
  monitorPassword,
];

const run = randomUUID();
const queue = `e2e-leak-${run}`;
const worker = `e2e-leak-${run}@test`;
const amqpUser = `e2e-leak-${run}`;
const aclUser = `e2e-leak-acl`;

function rabbitmqctl(...args: string[]): void {
  execFileSync('rabbitmqctl', args, { stdio: 'ignore', timeout: 60_000 });
}

describe('credentials in logs, health bodies and control replies', () => {
  let redis: OwnedRedis;
  let amqpUserCreated = false;
  const processes: WorkerProcess[] = [];
  const bodies: string[] = [];
  let api: WorkerProcess;
  let monitor: WorkerProcess;
  const monitorAuth = `Basic ${Buffer.from(`admin:${monitorPassword}`).toString('base64')}`;

  const get = async (
    port: number,
    path: string,
    headers: Record<string, string> = {},
  ) => {
    const response = await fetch(`http://127.0.0.1:${port}${path}`, {
      headers,
    });
    const text = await response.text();
    bodies.push(`${path} ${response.status} ${text}`);
    return { status: response.status, text };
  };

  beforeAll(async () => {
    redis = await startOwnedRedis({
      args: [
        '--requirepass',
        redisPassword,
        // One argument per ACL rule: redis-server splits none.
        '--user',
        aclUser,
        'on',
        `>${aclPassword}`,
        '~*',
        '&*',
        '+@all',
      ],
    });
    rabbitmqctl('add_user', amqpUser, amqpPassword);
    amqpUserCreated = true;
    rabbitmqctl(
      'set_permissions',
      '-p',
      TEST_VHOST,
      amqpUser,
      '.*',
      '.*',
      '.*',
    );
    const env = {
      BROKER_URL: brokerUrl({ user: amqpUser, password: amqpPassword }),
      RESULT_BACKEND_URL: `redis://${aclUser}:${aclPassword}@127.0.0.1:${redis.port}/0`,
      TASK_DEFAULT_QUEUE: queue,
      WORKER_QUEUES: queue,
      TASK_TIME_SCALE: '0',
      LOG_LEVEL: 'debug',
    };
    const start = async (extra: Record<string, string>, app?: BuiltApp) => {
      const started = await WorkerProcess.start({ ...env, ...extra }, app);
      processes.push(started);
      return started;
    };
    await start({ WORKER_HOSTNAME: worker });
    // Beat logs in as the default user, with requirepass.
    await start(
      {
        RESULT_BACKEND_URL: `redis://:${redisPassword}@127.0.0.1:${redis.port}/0`,
      },
      BEAT_APP,
    );
    api = await start({}, API_APP);
    monitor = await start(
      {
        MONITOR_QUEUES: queue,
        MONITOR_BASIC_AUTH: `admin:${monitorPassword}`,
        MONITOR_DASHBOARD_DIR: `/nonexistent/dashboard-${run}`,
      },
      MONITOR_APP,
    );
  }, 240_000);

  afterAll(async () => {
    for (const started of processes) {
      await started.stop();
    }
    await redis?.stop();
    await deleteQueue(queue).catch(() => undefined);
    if (amqpUserCreated) {
      rabbitmqctl('delete_user', amqpUser);
    }
  }, 60_000);

  it('runs the seed flow with the credentials', async () => {
    const sent = await get(api.healthPort, '/solo/add?a=2&b=3');
    expect(sent.status).toBe(200);
    const taskId = (JSON.parse(sent.text) as { task_id: string }).task_id;
    const result = await pollUntil(
      () => get(api.healthPort, `/result/${taskId}`),
      (answer) => answer.text.includes('SUCCESS'),
      { timeoutMs: 20_000, intervalMs: 200 },
    );
    expect(JSON.parse(result.text)).toMatchObject({ status: 'SUCCESS' });
  }, 30_000);

  it('answers the health probes, control replies and monitor views', async () => {
    for (const started of processes) {
      expect((await get(started.healthPort, '/health/ready')).status).toBe(200);
    }
    // The monitor asks the worker for `stats`, `conf`, ... over the pidbox.
    const workers = await pollUntil(
      () =>
        get(monitor.healthPort, `/api/workers?refresh=1&workername=${worker}`, {
          Authorization: monitorAuth,
        }),
      (answer) => answer.text.includes('"conf"'),
      { timeoutMs: 20_000, intervalMs: 500 },
    );
    const info = (JSON.parse(workers.text) as Record<string, never>)[
      worker
    ] as {
      conf: Record<string, unknown>;
      stats: { broker: Record<string, unknown> };
    };
    // Present, and masked as Celery masks them.
    expect(info.conf.broker_url).toContain(amqpUser);
    expect(info.conf.broker_url).toContain('********');
    expect(info.conf.result_backend).toContain('********');
    expect(info.stats.broker).toMatchObject({ userid: amqpUser });
    for (const path of ['/api/tasks', '/api/monitor/workers', '/metrics']) {
      const answer = await get(monitor.healthPort, path, {
        Authorization: monitorAuth,
      });
      expect(answer.status).toBe(200);
    }
    await get(api.healthPort, '/health/live');
    await get(api.healthPort, '/metrics');
  }, 60_000);

  it('says what is wrong with a wrong password, without it', async () => {
    const wrong = await WorkerProcess.start(
      {
        RESULT_BACKEND_URL: `redis://:${wrongPassword}@127.0.0.1:${redis.port}/0`,
        LOG_LEVEL: 'debug',
      },
      API_APP,
      // Never ready: it gives up after this, its output in the error.
      30_000,
    ).catch((error: unknown) => error);
    if (wrong instanceof WorkerProcess) {
      processes.push(wrong);
      const ready = await get(wrong.healthPort, '/health/ready');
      expect(ready.status).toBe(503);
    } else {
      // It did not start: its output is in the error message.
      bodies.push(String(wrong));
    }
  }, 90_000);

  it('leaves no password in any captured log line or body', () => {
    const captured = [
      ...processes.map((started) => started.rawOutput()),
      ...bodies,
    ].join('\n');

    // Kept for a look: random test passwords only, whatever it shows.
    mkdirSync(RESULTS, { recursive: true });
    writeFileSync(join(RESULTS, 'credentials-leak-captured.log'), captured);

    // Something was captured: debug logs of five processes and the bodies.
    expect(captured.length).toBeGreaterThan(10_000);
    // The wrong password's refusal was logged, and the URLs were shown masked.
    expect(captured).toContain('WRONGPASS');
    expect(captured).toContain(`${amqpUser}:********@`);
    expect(captured).toContain(`${aclUser}:********@`);
    for (const password of PASSWORDS) {
      const at = captured.indexOf(password);
      expect({
        password,
        context: at === -1 ? null : captured.slice(at - 200, at + 50),
      }).toEqual({ password, context: null });
    }
  });
});
