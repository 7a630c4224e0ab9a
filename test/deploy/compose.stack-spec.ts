// The repository's Dockerfile and docker-compose.yaml, run for real (npm run
// test:compose; .ci/run runs it after npm test). Only the compose variables
// for host ports, RabbitMQ's credentials and its data dir are set, so the
// stack cannot collide with the shared RabbitMQ/Redis on 5672/6379. Base
// images are stand-ins where no registry is reachable (compose/standins.ts).
// Measured here: about 10 min cold (no engine, images or cache), 3.5 min warm.
//
// The `ha` profile runs as a second project beside it: started (and built,
// from the same cache) once the default stack is up, it boots while the
// default stack's tests run, and its own tests come last: a task on a quorum
// queue of a 3-node cluster, then `docker kill` of the RabbitMQ node the api
// is connected to, then of the Redis master, a submit succeeding after each.
//
// No Docker engine: as root or in CI that is a failure (root can install and
// start one); otherwise every test is skipped with the reason printed loudly.
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, existsSync } from 'node:fs';
import { createServer, connect as tcpConnect } from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { connect } from 'amqplib';
import {
  ensureDockerEngine,
  engineRequired,
  DOCKERD_LOG,
} from './compose/docker-engine';
import { ensureStandins } from './compose/standins';
import { pollUntil } from '../utils/poll-until';
import { ComposeStack, SERVICES } from './compose/compose-stack';
import {
  HA_APPS,
  HA_PROFILE,
  HA_SERVICES,
  RABBITMQ_NODES,
  REDIS_NODES,
  brokerNodeOf,
  rabbitmqctlJson,
  sentinelMaster,
  sentinelsReady,
  submitUntilAccepted,
} from './compose/ha-stack';

const MINUTE = 60_000;
const engine = ensureDockerEngine();
if (!engine.ok) {
  const banner = `COMPOSE TEST ${engineRequired() ? 'FAILS' : 'SKIPPED'}: ${engine.reason}`;
  console.error(
    `\n${'!'.repeat(banner.length)}\n${banner}\n${'!'.repeat(banner.length)}\n`,
  );
}

/** A port nothing listens on now, on 127.0.0.1. */
/** What Redis answers an unauthenticated PING on 127.0.0.1:port. */
function redisGreeting(port: number): Promise<string> {
  return new Promise((resolvePing, reject) => {
    const socket = tcpConnect(port, '127.0.0.1');
    socket.setTimeout(5000, () => {
      socket.destroy();
      reject(new Error(`no answer from Redis on ${port}`));
    });
    socket.once('error', reject);
    socket.once('data', (data) => {
      socket.destroy();
      resolvePing(data.toString());
    });
    socket.once('connect', () => socket.write('PING\r\n'));
  });
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as { port: number };
  await new Promise((done) => server.close(done));
  return port;
}

/** Whether a TCP connection to host:port is accepted. */
function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((done) => {
    const socket = tcpConnect({ host, port, timeout: 3000 });
    socket.once('connect', () => {
      socket.destroy();
      done(true);
    });
    socket.once('error', () => done(false));
    socket.once('timeout', () => {
      socket.destroy();
      done(false);
    });
  });
}

const suite = engine.ok ? describe : describe.skip;

if (!engine.ok && engineRequired()) {
  describe('docker compose stack', () => {
    it('needs a Docker engine', () => {
      throw new Error(
        `no Docker engine could be started: ${engine.reason} (dockerd log: ${DOCKERD_LOG})`,
      );
    });
  });
}

suite(
  'docker compose stack (Dockerfile + docker-compose.yaml, for real)',
  () => {
    const run = randomBytes(4).toString('hex');
    const user = `celeriac-${run}`;
    const password = randomBytes(12).toString('hex');
    const redisPassword = randomBytes(12).toString('hex');
    // Made in beforeAll: a skipped suite still runs this body.
    let work = '';
    let dataDir = '';
    const logDir = resolve(process.cwd(), 'test-results/compose');
    const ports = {
      rabbitmq: 0,
      management: 0,
      redis: 0,
      api: 0,
      monitor: 0,
      haApi: 0,
      haMonitor: 0,
      haManagement: 0,
    };
    let stack: ComposeStack;
    let haStack: ComposeStack;
    /** The ha stack's `up`, running while the default stack's tests do. */
    let haUp: Promise<unknown> = Promise.resolve();
    let startedAt = 0;
    /** The default stack's container events from `up` until all were healthy. */
    let startEvents: Awaited<ReturnType<ComposeStack['events']>> = [];
    const timings: string[] = [];
    const timed = async <T>(
      what: string,
      step: () => Promise<T>,
    ): Promise<T> => {
      const start = Date.now();
      const value = await step();
      timings.push(`${what}: ${((Date.now() - start) / 1000).toFixed(0)} s`);
      return value;
    };
    const api = (path: string) => `http://127.0.0.1:${ports.api}${path}`;
    const brokerUrl = () =>
      `amqp://${user}:${password}@127.0.0.1:${ports.rabbitmq}`;

    const haApi = () => `http://127.0.0.1:${ports.haApi}`;

    /** GET /result/{id} (of the api at `base`) until it is 200 (done) or the time is up. */
    async function resultOf(
      id: string,
      timeoutMs: number,
      base = api(''),
    ): Promise<{ code: number; body: { status?: string; result?: unknown } }> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const response = await fetch(`${base}/result/${id}`);
        const body = (await response.json()) as { status?: string };
        if (response.status === 200 || Date.now() > deadline) {
          return { code: response.status, body };
        }
        await new Promise((done) => setTimeout(done, 500));
      }
    }

    async function submitAdd(a: number, b: number): Promise<string> {
      const response = await fetch(api(`/solo/add?a=${a}&b=${b}`));
      expect(response.status).toBe(200);
      return ((await response.json()) as { task_id: string }).task_id;
    }

    beforeAll(async () => {
      work = mkdtempSync(join(tmpdir(), 'celeriac-compose-'));
      dataDir = join(work, 'rabbitmq');
      mkdirSync(logDir, { recursive: true });
      for (const name of Object.keys(ports) as (keyof typeof ports)[]) {
        ports[name] = await freePort();
      }
      stack = new ComposeStack(
        'celeriac-compose-test',
        {
          RABBITMQ_HOST_PORT: String(ports.rabbitmq),
          RABBITMQ_MANAGEMENT_HOST_PORT: String(ports.management),
          REDIS_HOST_PORT: String(ports.redis),
          API_HOST_PORT: String(ports.api),
          MONITOR_HOST_PORT: String(ports.monitor),
          RABBITMQ_USER: user,
          RABBITMQ_PASSWORD: password,
          REDIS_PASSWORD: redisPassword,
          RABBITMQ_DATA_DIR: dataDir,
        },
        join(work, 'empty.env'),
      );
      haStack = new ComposeStack(
        'celeriac-compose-ha-test',
        {
          API_HA_HOST_PORT: String(ports.haApi),
          MONITOR_HA_HOST_PORT: String(ports.haMonitor),
          RABBITMQ_HA_MANAGEMENT_HOST_PORT: String(ports.haManagement),
          RABBITMQ_USER: user,
          RABBITMQ_PASSWORD: password,
          REDIS_PASSWORD: redisPassword,
          RABBITMQ_ERLANG_COOKIE: randomBytes(16).toString('hex'),
          // add_task in 1 s rather than 20.
          TASK_TIME_SCALE: '0.05',
        },
        join(work, 'empty-ha.env'),
        { profiles: [HA_PROFILE], services: HA_SERVICES },
      );
      // What an aborted earlier run left.
      await Promise.all([
        stack.compose('down', '--volumes', '--remove-orphans'),
        haStack.compose('down', '--volumes', '--remove-orphans'),
      ]);
      await timed('stand-in base images', () =>
        ensureStandins((line) => console.log(`[compose test] ${line}`)),
      );
      startedAt = Math.floor(Date.now() / 1000);
      await timed('docker-compose up --build', () =>
        stack.compose('up', '--detach', '--build'),
      );
      await timed('all healthy', () => stack.waitHealthy(4 * MINUTE));
      // Read now: dockerd keeps only its last 256 events, and the ha stack's
      // health checks would soon push these out.
      startEvents = await stack.events(startedAt);
      // The same image from the cache; it boots while the tests below run.
      // docker-compose 1.x gives up on `up` when a dependency is marked
      // unhealthy once, which a busy host can cause while the nodes boot
      // beside the default stack's tests; a second `up` keeps what runs.
      haUp = timed('ha: docker-compose --profile ha up --build', () =>
        haStack
          .compose('up', '--detach', '--build', ...HA_APPS)
          .catch((error: unknown) => {
            console.log(
              `[compose test] ha: up failed once, again: ${String(error).split('\n').slice(-3).join(' ')}`,
            );
            return haStack.compose('up', '--detach', ...HA_APPS);
          }),
      );
      haUp.catch(() => undefined);
    }, 20 * MINUTE);

    afterAll(async () => {
      await haUp.catch(() => undefined);
      await timed('down, both stacks', () =>
        Promise.all(
          [stack, haStack]
            .filter((one) => one !== undefined)
            .map(async (one) => {
              await one.saveLogs(logDir);
              // Its graceful stop is not under test (and takes up to a
              // minute: three RabbitMQ nodes, four apps): SIGKILL first.
              if (one === haStack) {
                await one.compose('kill');
              }
              await one.compose('down', '--volumes', '--remove-orphans');
            }),
        ),
      );
      if (work) {
        rmSync(work, { recursive: true, force: true });
      }
      console.log(`[compose test] ${timings.join('; ')}`);
    }, 5 * MINUTE);

    it(
      'turns all six services healthy, the apps started after RabbitMQ and Redis were',
      async () => {
        const events = startEvents;
        const first = (service: string, status: string) =>
          events.find((e) => e.service === service && e.status === status)
            ?.timeNano;
        const rabbitmqHealthy = first('rabbitmq', 'health_status: healthy');
        const redisHealthy = first('redis', 'health_status: healthy');
        expect(rabbitmqHealthy).toBeDefined();
        expect(redisHealthy).toBeDefined();
        for (const app of ['api', 'worker', 'beat', 'monitor']) {
          const started = first(app, 'start');
          expect([app, started! > rabbitmqHealthy!]).toEqual([app, true]);
          expect([app, started! > redisHealthy!]).toEqual([app, true]);
          expect(first(app, 'health_status: healthy')).toBeDefined();
        }
        // The image's own HEALTHCHECK (no url) finds the app that runs in
        // each container: a worker, beat or monitor run alone is healthy too.
        for (const app of ['api', 'worker', 'beat', 'monitor'] as const) {
          expect(await stack.imageHealthcheck(app)).toEqual([
            'CMD',
            'node',
            'scripts/healthcheck.mjs',
          ]);
          await expect(
            stack.execIn(app, 'node', 'scripts/healthcheck.mjs'),
          ).resolves.toBeDefined();
        }
      },
      5 * MINUTE,
    );

    it(
      'publishes every port on 127.0.0.1 only, where the variables say',
      async () => {
        const expected: Record<string, Record<string, number>> = {
          rabbitmq: {
            '5672/tcp': ports.rabbitmq,
            '15672/tcp': ports.management,
          },
          redis: { '6379/tcp': ports.redis },
          api: { '8000/tcp': ports.api },
          monitor: { '5555/tcp': ports.monitor },
          worker: {},
          beat: {},
        };
        for (const service of SERVICES) {
          const { NetworkSettings } = await stack.inspect(service);
          const bindings = Object.entries(NetworkSettings.Ports)
            .filter(([, hosts]) => hosts !== null && hosts.length > 0)
            .map(([port, hosts]) => [
              port,
              hosts!.map((host) => `${host.HostIp}:${host.HostPort}`),
            ]);
          expect([service, Object.fromEntries(bindings)]).toEqual([
            service,
            Object.fromEntries(
              Object.entries(expected[service]).map(([port, host]) => [
                port,
                [`127.0.0.1:${host}`],
              ]),
            ),
          ]);
        }
        // Redis asks for its password even on loopback.
        expect(await redisGreeting(ports.redis)).toMatch(/^-NOAUTH/);
        // And for real: the api answers on loopback, not on this host's other addresses.
        expect(await accepts('127.0.0.1', ports.api)).toBe(true);
        const others = Object.values(networkInterfaces())
          .flat()
          .filter(
            (entry) => entry && entry.family === 'IPv4' && !entry.internal,
          )
          .map((entry) => entry!.address);
        for (const address of others) {
          expect([address, await accepts(address, ports.api)]).toEqual([
            address,
            false,
          ]);
        }
      },
      MINUTE,
    );

    it(
      'runs the seed flow through the api: /solo/add then /result/{id} is 200 SUCCESS',
      async () => {
        const id = await submitAdd(1, 2);
        const { code, body } = await timed('seed flow (add_task, 20 s)', () =>
          resultOf(id, 2 * MINUTE),
        );
        expect([code, body.status, body.result]).toEqual([200, 'SUCCESS', 3]);
      },
      3 * MINUTE,
    );

    it(
      'lets a running add_task finish on `docker-compose stop worker`: warm shutdown, exit 0',
      async () => {
        const id = await submitAdd(5, 6);
        // Running: the seed's add_task reports its progress once a second.
        const deadline = Date.now() + MINUTE;
        let status = '';
        while (
          Date.now() < deadline &&
          !['STARTED', 'PROGRESS'].includes(status)
        ) {
          const response = await fetch(api(`/result/${id}`));
          status = ((await response.json()) as { status: string }).status;
          await new Promise((done) => setTimeout(done, 500));
        }
        expect(status).toMatch(/^(STARTED|PROGRESS)$/);

        await timed('stop worker during a task', () =>
          stack.compose('stop', 'worker'),
        );
        const worker = await stack.inspect('worker');
        expect([worker.State.Status, worker.State.ExitCode]).toEqual([
          'exited',
          0,
        ]);
        const lines = (await stack.logs('worker'))
          .split('\n')
          .map((line) => /\{.*\}\s*$/.exec(line)?.[0])
          .filter((json): json is string => json !== undefined)
          .map(
            (json) =>
              JSON.parse(json) as {
                msg?: string;
                signal?: string;
                taskId?: string;
              },
          );
        expect(lines).toContainEqual(
          expect.objectContaining({ msg: 'warm shutdown', signal: 'SIGTERM' }),
        );
        expect(lines.filter((line) => line.msg === 'cold shutdown')).toEqual(
          [],
        );

        // Finished during the warm shutdown, or given back to the queue and
        // finished once the worker is back.
        await stack.compose('start', 'worker');
        const { code, body } = await resultOf(id, 2 * MINUTE);
        expect([code, body.status, body.result]).toEqual([200, 'SUCCESS', 11]);
        await stack.waitHealthy(2 * MINUTE);
      },
      5 * MINUTE,
    );

    it(
      'keeps RabbitMQ data across `docker-compose down` and `up`',
      async () => {
        const queue = `celeriac-compose-keep-${run}`;
        const message = `kept ${run}`;
        const before = await connect(brokerUrl());
        const channel = await before.createConfirmChannel();
        await channel.assertQueue(queue, { durable: true });
        channel.sendToQueue(queue, Buffer.from(message), { persistent: true });
        await channel.waitForConfirms();
        await before.close();

        await timed('down', () => stack.compose('down'));
        expect(await stack.containerId('rabbitmq')).toBe('');
        expect(existsSync(join(dataDir, 'mnesia', 'rabbit@rabbitmq'))).toBe(
          true,
        );
        await timed('up again, all healthy', async () => {
          await stack.compose('up', '--detach');
          await stack.waitHealthy(4 * MINUTE);
        });

        const after = await connect(brokerUrl());
        try {
          const check = await after.createChannel();
          const { messageCount } = await check.checkQueue(queue);
          expect(messageCount).toBe(1);
          const got = await check.get(queue, { noAck: true });
          expect(got && got.content.toString()).toBe(message);
          await check.deleteQueue(queue);
        } finally {
          await after.close();
        }
        // And the stack works again after the recreate.
        const id = await submitAdd(2, 2);
        const { code, body } = await resultOf(id, 2 * MINUTE);
        expect([code, body.status, body.result]).toEqual([200, 'SUCCESS', 4]);
      },
      10 * MINUTE,
    );

    it(
      'ha profile: turns healthy a 3-node RabbitMQ cluster, Redis with a replica under 3 sentinels, and the apps',
      async () => {
        await haUp;
        await timed('ha: all healthy', () => haStack.waitHealthy(4 * MINUTE));
        const status = await rabbitmqctlJson<{ running_nodes: string[] }>(
          haStack,
          'rabbitmq-3',
          'cluster_status',
        );
        expect([...status.running_nodes].sort()).toEqual(
          RABBITMQ_NODES.map((node) => `rabbit@${node}`),
        );
        expect(await sentinelMaster(haStack, 'sentinel-1')).toBe(
          'redis-node-1',
        );
        await sentinelsReady(haStack, 'sentinel-1', MINUTE);
      },
      6 * MINUTE,
    );

    it(
      'ha profile: runs a task through the api on a quorum queue with a replica on each node',
      async () => {
        const { id } = await submitUntilAccepted(haApi(), 1, 2, MINUTE);
        const { code, body } = await resultOf(id, MINUTE, haApi());
        expect([code, body.status, body.result]).toEqual([200, 'SUCCESS', 3]);
        const queues = await rabbitmqctlJson<
          { name: string; type: string; members: string[] }[]
        >(haStack, 'rabbitmq-2', 'list_queues', 'name', 'type', 'members');
        const queue = queues.find((one) => one.name === 'default-sum');
        expect(queue?.type).toBe('quorum');
        expect([...(queue?.members ?? [])].sort()).toEqual(
          RABBITMQ_NODES.map((node) => `rabbit@${node}`),
        );
      },
      2 * MINUTE,
    );

    it(
      'ha profile: a submit succeeds after `docker kill` of the RabbitMQ node the api is connected to',
      async () => {
        const victim = await brokerNodeOf(haStack, 'api-ha', 'rabbitmq-2');
        const survivor = RABBITMQ_NODES.find((node) => node !== victim)!;
        await haStack.kill(victim);
        const { id, statuses } = await timed(
          `ha: kill ${victim}, until a submit is accepted`,
          () => submitUntilAccepted(haApi(), 2, 3, MINUTE),
        );
        console.log(`[compose test] refused before: ${statuses.join(', ')}`);
        const { code, body } = await resultOf(id, MINUTE, haApi());
        expect([code, body.status, body.result]).toEqual([200, 'SUCCESS', 5]);
        expect(await brokerNodeOf(haStack, 'api-ha', survivor)).not.toBe(
          victim,
        );
      },
      3 * MINUTE,
    );

    it(
      'ha profile: a submit succeeds after `docker kill` of the Redis master, the sentinels promote the replica',
      async () => {
        const master = await sentinelMaster(haStack, 'sentinel-1');
        expect(REDIS_NODES).toContain(master);
        await sentinelsReady(haStack, 'sentinel-1', MINUTE);
        await haStack.kill(master);
        const { id, statuses } = await timed(
          `ha: kill ${master}, until a submit is accepted`,
          () => submitUntilAccepted(haApi(), 3, 4, MINUTE),
        );
        console.log(`[compose test] refused before: ${statuses.join(', ')}`);
        const { code, body } = await resultOf(id, MINUTE, haApi());
        expect([code, body.status, body.result]).toEqual([200, 'SUCCESS', 7]);
        // Every sentinel learns the new master from the one that promoted it.
        const promoted = REDIS_NODES.find((node) => node !== master);
        expect(
          await pollUntil(
            () => sentinelMaster(haStack, 'sentinel-2'),
            (name) => name === promoted,
            { timeoutMs: 20_000, intervalMs: 500 },
          ),
        ).toBe(promoted);
      },
      3 * MINUTE,
    );
  },
);
