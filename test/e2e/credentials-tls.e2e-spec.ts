// The seed flow over TLS with passwords everywhere: a RabbitMQ node of the
// test's own with an AMQPS listener that requires a client certificate, and
// a TLS-only Redis with requirepass and an ACL user. The built api, worker
// and monitor run as real processes, so everything they log is captured and
// searched for the passwords, as are their health bodies and the worker's
// control replies (stats, conf) as the monitor shows them.
import { randomBytes } from 'node:crypto';
import { pollUntil } from '../utils/poll-until';
import {
  type OwnedRabbitmq,
  startOwnedRabbitmq,
} from '../utils/owned-rabbitmq';
import {
  type OwnedTlsRedis,
  startOwnedTlsRedis,
} from '../utils/owned-tls-redis';
import {
  makeTestCertificates,
  type TestCertificates,
} from '../utils/test-certificates';
import {
  API_APP,
  MONITOR_APP,
  WORKER_APP,
  WorkerProcess,
} from '../utils/worker-process';

const secret = (label: string) => `${label}-${randomBytes(9).toString('hex')}`;
const AMQP_PASSWORD = secret('AmqpPw');
const REDIS_PASSWORD = secret('RedisPw');
const REDIS_DEFAULT_PASSWORD = secret('RedisDefaultPw');
const PASSWORDS = [AMQP_PASSWORD, REDIS_PASSWORD, REDIS_DEFAULT_PASSWORD];
const QUEUE = `tls-${process.pid}`;
const BOOT_TIMEOUT_MS = 240_000;

describe('credentials and TLS, end to end', () => {
  let certs: TestCertificates;
  let rabbit: OwnedRabbitmq | undefined;
  let redis: OwnedTlsRedis | undefined;
  const apps: WorkerProcess[] = [];
  let api: WorkerProcess;
  let worker: WorkerProcess;
  let monitor: WorkerProcess;

  beforeAll(async () => {
    certs = makeTestCertificates();
    [rabbit, redis] = await Promise.all([
      startOwnedRabbitmq({ tls: certs }),
      startOwnedTlsRedis(certs, {
        defaultPassword: REDIS_DEFAULT_PASSWORD,
        user: 'celeriac',
        password: REDIS_PASSWORD,
      }),
    ]);
    await rabbit.ctl('add_user', 'celeriac', AMQP_PASSWORD);
    await rabbit.ctl(
      'set_permissions',
      '-p',
      '/',
      'celeriac',
      '.*',
      '.*',
      '.*',
    );
    const tlsFiles = (names: [string, string, string]) =>
      `${names[0]}=${certs.ca}&${names[1]}=${certs.clientCert}&${names[2]}=${certs.clientKey}`;
    const env = {
      BROKER_URL: `amqps://celeriac:${AMQP_PASSWORD}@127.0.0.1:${rabbit.tlsPort}//?${tlsFiles(['cacertfile', 'certfile', 'keyfile'])}&verify=verify_peer`,
      RESULT_BACKEND_URL: `rediss://celeriac:${REDIS_PASSWORD}@127.0.0.1:${redis.port}/0?ssl_cert_reqs=required&${tlsFiles(['ssl_ca_certs', 'ssl_certfile', 'ssl_keyfile'])}`,
      TASK_DEFAULT_QUEUE: QUEUE,
      WORKER_QUEUES: QUEUE,
      MONITOR_QUEUES: QUEUE,
      TASK_TIME_SCALE: '0',
      API_RATE_LIMIT: '0',
    };
    worker = await WorkerProcess.start(env, WORKER_APP, BOOT_TIMEOUT_MS / 3);
    apps.push(worker);
    api = await WorkerProcess.start(env, API_APP, BOOT_TIMEOUT_MS / 3);
    apps.push(api);
    monitor = await WorkerProcess.start(env, MONITOR_APP, BOOT_TIMEOUT_MS / 3);
    apps.push(monitor);
  }, BOOT_TIMEOUT_MS * 2);

  afterAll(async () => {
    for (const app of apps) {
      app.signal('SIGTERM');
    }
    await Promise.all(apps.map((app) => app.exited));
    await Promise.all([rabbit?.stop(), redis?.stop()]);
  }, 60_000);

  const expectNoPassword = (where: string, text: string) => {
    for (const password of PASSWORDS) {
      if (text.includes(password)) {
        throw new Error(`${where} shows a password:\n${text.slice(0, 2000)}`);
      }
    }
  };

  it('runs the seed flow over amqps:// and rediss:// with passwords', async () => {
    const base = `http://127.0.0.1:${api.healthPort}`;
    const submitted = await fetch(`${base}/solo/add?a=20&b=22`);
    expect(submitted.status).toBe(200);
    const { task_id: taskId } = (await submitted.json()) as { task_id: string };
    const result = await pollUntil(
      async () => {
        const response = await fetch(`${base}/result/${taskId}`);
        return {
          status: response.status,
          body: (await response.json()) as { status: string; result: unknown },
        };
      },
      ({ status }) => status === 200,
      { timeoutMs: 20_000, intervalMs: 100 },
    );
    expect(result.status).toBe(200);
    expect(result.body).toMatchObject({ status: 'SUCCESS', result: 42 });
  });

  it('shows no password in health bodies', async () => {
    for (const app of [api, worker, monitor]) {
      for (const path of ['/health', '/health/ready', '/health/live']) {
        const response = await fetch(
          `http://127.0.0.1:${app.healthPort}${path}`,
        );
        const body = await response.text();
        expectNoPassword(`${path} on port ${app.healthPort}`, body);
      }
    }
  });

  it("shows no password in the worker's stats and conf, as the monitor lists them", async () => {
    const base = `http://127.0.0.1:${monitor.healthPort}`;
    const workers = await pollUntil(
      async () => {
        const response = await fetch(`${base}/api/workers?refresh=1`);
        return (await response.json()) as Record<
          string,
          Record<string, unknown>
        >;
      },
      (listed) => Object.values(listed).some((info) => info.conf && info.stats),
      { timeoutMs: 20_000, intervalMs: 500 },
    );
    const info = Object.values(workers).find(
      (entry) => entry.conf && entry.stats,
    );
    expect(info).toBeDefined();
    const conf = info?.conf as Record<string, unknown>;
    // Celery masks the password and keeps the rest of the URL.
    expect(String(conf.broker_url)).toMatch(
      /^amqps:\/\/celeriac:\*+@127\.0\.0\.1:/,
    );
    expect(String(conf.result_backend)).toMatch(
      /^rediss:\/\/celeriac:\*+@127\.0\.0\.1:/,
    );
    expectNoPassword('the monitor /api/workers', JSON.stringify(workers));
  });

  it('writes no password to any log line', () => {
    // Debug level: the most an operator could turn on.
    for (const app of apps) {
      expect(app.rawOutput().length).toBeGreaterThan(0);
      expectNoPassword('a log line', app.rawOutput());
    }
  });
});
