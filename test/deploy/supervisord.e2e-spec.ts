// deploy/supervisor/supervisord.conf, run for real: supervisord starts the
// built api and worker, and `supervisorctl restart` and a crashed worker
// (kill -9) both end with the seed's flow working again.
import {
  type ChildProcess,
  execFileSync,
  spawn,
  spawnSync,
} from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { deleteQueue, TEST_BROKER_URL } from '../utils/rabbitmq';
import { TEST_REDIS_URL } from '../utils/redis';
import { pollUntil } from '../utils/poll-until';

const SLOW = 180_000;

const HOME = process.cwd();
const CONF = resolve(HOME, 'deploy/supervisor/supervisord.conf');
const API_MAIN = resolve(HOME, 'dist/apps/api/apps/api/src/main.js');
const WORKER_MAIN = resolve(HOME, 'dist/apps/worker/apps/worker/src/main.js');
const BEAT_MAIN = resolve(HOME, 'dist/apps/beat/apps/beat/src/main.js');
const MONITOR_MAIN = resolve(
  HOME,
  'dist/apps/monitor/apps/monitor/src/main.js',
);

function has(command: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${command}`]).status === 0;
}

/** Debian's supervisor, installed with apt when missing (CI runs as root). */
function ensureSupervisor(): void {
  if (has('supervisord') && has('supervisorctl')) {
    return;
  }
  const isRoot = process.getuid?.() === 0;
  if (isRoot && has('apt-get')) {
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    spawnSync('apt-get', ['update'], { env, stdio: 'inherit' });
    spawnSync('apt-get', ['install', '-y', 'supervisor'], {
      env,
      stdio: 'inherit',
    });
  }
  if (!has('supervisord') || !has('supervisorctl')) {
    throw new Error(
      isRoot && has('apt-get')
        ? "supervisord is still missing after apt-get install supervisor: install Debian's supervisor package, then run this test again."
        : "supervisord is missing, and installing Debian's supervisor package needs root and apt-get: install it, then run this test again.",
    );
  }
}

function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address
          ? resolvePort(address.port)
          : reject(new Error('no port')),
      );
    });
  });
}

async function status(url: string): Promise<number> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
    await response.arrayBuffer();
    return response.status;
  } catch {
    return 0;
  }
}

function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return '';
  }
}

const PROGRAMS = ['api', 'worker', 'beat', 'monitor'];

/** Every program RUNNING in `supervisorctl status` output. */
function allRunning(status: string): boolean {
  return PROGRAMS.every((name) =>
    new RegExp(`^${name}\\s+RUNNING`, 'm').test(status),
  );
}

describe('supervisord runs the api, the worker, beat and the monitor', () => {
  const queue = `test-supervisord-${randomUUID()}`;
  const logDir = mkdtempSync(join(tmpdir(), 'celeriac-sv-'));
  let env: NodeJS.ProcessEnv;
  let apiUrl: string;
  let workerUrl: string;
  let beatUrl: string;
  let monitorUrl: string;
  let supervisord: ChildProcess | undefined;

  // supervisorctl exits non-zero for a program that is not RUNNING: read its words.
  const ctl = (...args: string[]): string =>
    spawnSync('supervisorctl', ['-c', CONF, ...args], {
      env,
      encoding: 'utf8',
    }).stdout.trim();
  const workerPid = (): number => Number(ctl('pid', 'worker'));
  const logs = (): string =>
    [
      'supervisord.log',
      'api.err.log',
      'worker.err.log',
      'beat.err.log',
      'monitor.err.log',
    ]
      .map((file) => {
        try {
          return `--- ${file}\n${readFileSync(join(logDir, file), 'utf8')}`;
        } catch {
          return `--- ${file}: none`;
        }
      })
      .join('\n');

  async function expectReady(): Promise<void> {
    // RUNNING once a program has stayed up for startsecs.
    const states = await pollUntil(
      () => Promise.resolve(ctl('status')),
      (out) => allRunning(out),
      { timeoutMs: 45_000, intervalMs: 250 },
    );
    if (!allRunning(states)) {
      throw new Error(`supervisorctl status:\n${states}\n${logs()}`);
    }
    for (const url of [apiUrl, workerUrl, beatUrl, monitorUrl]) {
      const code = await pollUntil(
        () => status(`${url}/health/ready`),
        (value) => value === 200,
        // Four Nest apps boot at once, beside another suite.
        { timeoutMs: 90_000, intervalMs: 250 },
      );
      if (code !== 200) {
        throw new Error(`${url}/health/ready answered ${code}\n${logs()}`);
      }
    }
  }

  async function result(taskId: string): Promise<unknown> {
    const response = await pollUntil(
      async () => {
        const answer = await fetch(`${apiUrl}/result/${taskId}`);
        return { code: answer.status, body: await answer.json() };
      },
      ({ code }) => code !== 202,
      { timeoutMs: 20_000, intervalMs: 100 },
    );
    expect(response.code).toBe(200);
    return (response.body as { result: unknown }).result;
  }

  async function expectSeedFlow(): Promise<void> {
    const add = (await (await fetch(`${apiUrl}/solo/add?a=2&b=3`)).json()) as {
      task_id: string;
    };
    expect(await result(add.task_id)).toBe(5);
    const chain = (await (
      await fetch(`${apiUrl}/solo/chain?a=3&b=4`)
    ).json()) as { task_id: string };
    expect(await result(chain.task_id)).toEqual([21, 28]);
  }

  beforeAll(async () => {
    ensureSupervisor();
    if (
      ![API_MAIN, WORKER_MAIN, BEAT_MAIN, MONITOR_MAIN].every((main) =>
        existsSync(main),
      )
    ) {
      execFileSync(
        'npx',
        ['nest', 'build', 'api', 'worker', 'beat', 'monitor'],
        { stdio: 'inherit' },
      );
    }
    const [apiPort, workerPort, beatPort, monitorPort] = [
      await freePort(),
      await freePort(),
      await freePort(),
      await freePort(),
    ];
    apiUrl = `http://127.0.0.1:${apiPort}`;
    workerUrl = `http://127.0.0.1:${workerPort}`;
    beatUrl = `http://127.0.0.1:${beatPort}`;
    monitorUrl = `http://127.0.0.1:${monitorPort}`;
    env = {
      ...process.env,
      CELERIAC_HOME: HOME,
      CELERIAC_LOG_DIR: logDir,
      BROKER_URL: TEST_BROKER_URL,
      RESULT_BACKEND_URL: TEST_REDIS_URL,
      API_PORT: String(apiPort),
      WORKER_HEALTH_PORT: String(workerPort),
      BEAT_HEALTH_PORT: String(beatPort),
      MONITOR_PORT: String(monitorPort),
      TASK_DEFAULT_QUEUE: queue,
      WORKER_QUEUES: queue,
      WORKER_CONCURRENCY: '2',
      TASK_TIME_SCALE: '0',
    };
    supervisord = spawn('supervisord', ['-n', '-c', CONF], {
      env,
      stdio: 'ignore',
    });
    await expectReady();
  }, SLOW);

  afterAll(async () => {
    if (supervisord && supervisord.exitCode === null) {
      const exited = new Promise((done) => supervisord?.once('exit', done));
      supervisord.kill('SIGTERM');
      await exited;
    }
    rmSync(logDir, { recursive: true, force: true });
    await deleteQueue(queue);
  }, SLOW);

  it(
    'starts the programs and runs the seed flow',
    async () => {
      expect(ctl('status', 'api')).toMatch(/^api\s+RUNNING/);
      expect(ctl('status', 'worker')).toMatch(/^worker\s+RUNNING/);
      expect(ctl('status', 'monitor')).toMatch(/^monitor\s+RUNNING/);
      await expectSeedFlow();
      const answer = await fetch(`${monitorUrl}/healthcheck`);
      expect(await answer.text()).toBe('OK');
    },
    SLOW,
  );

  it(
    'runs the flow again after supervisorctl restart worker',
    async () => {
      const before = workerPid();
      expect(ctl('restart', 'worker')).toMatch(/worker: started/);
      expect(workerPid()).not.toBe(before);
      await expectReady();
      await expectSeedFlow();
    },
    SLOW,
  );

  it(
    'restarts a worker killed with kill -9 and runs the flow again',
    async () => {
      const before = workerPid();
      // The worker itself crashes.
      expect(commandLine(before)).toContain(
        WORKER_MAIN.replace(`${HOME}/`, ''),
      );
      process.kill(before, 'SIGKILL');
      const after = await pollUntil(
        () => Promise.resolve(workerPid()),
        (pid) => pid > 0 && pid !== before,
        { timeoutMs: 20_000, intervalMs: 200 },
      );
      expect(after).not.toBe(before);
      await expectReady();
      await expectSeedFlow();
    },
    SLOW,
  );
});
