// Static checks of the deployment files against the code they deploy: every
// health check calls a route the app really serves on the port it really
// listens on, every command is node running what an npm start script runs
// (so signals reach node), every variable is one EnvironmentVariables knows.
// Nothing here starts a container: test/deploy/compose.stack-spec.ts does.
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { CORE_SCHEMA, load, loadAll, mergeTag } from 'js-yaml';
import {
  ConfigValidationError,
  EnvironmentVariables,
  validateEnvironment,
  TRACING_VARIABLES,
} from '@celeriac/config';
import { HealthController as ApiHealth } from '../../apps/api/src/health/health.controller';
import { HealthController as WorkerHealth } from '../../apps/worker/src/health/health.controller';
import { HealthController as BeatHealth } from '../../apps/beat/src/health/health.controller';
import { HealthController as MonitorHealth } from '../../apps/monitor/src/health/health.controller';

const ROOT = process.cwd();
const read = (path: string): string =>
  readFileSync(resolve(ROOT, path), 'utf8');

const scripts = (
  JSON.parse(read('package.json')) as {
    scripts: Record<string, string>;
  }
).scripts;
const defaults = new EnvironmentVariables();
const known = new Set(Object.keys(defaults));
// API_KEYS and WORKER_HOSTNAME have no default, so no own property.
known
  .add('API_KEYS')
  .add('WORKER_HOSTNAME')
  .add('MONITOR_BASIC_AUTH')
  .add('MONITOR_API_KEYS')
  .add('MONITOR_QUEUES')
  .add('BEAT_SCHEDULE_FILE');
// Tracing's OTEL_* variables are read by the OpenTelemetry SDK.
TRACING_VARIABLES.forEach((name) => known.add(name));

/** `/health/<route>` from the controller's Nest metadata. */
function route(
  controller:
    | typeof ApiHealth
    | typeof WorkerHealth
    | typeof BeatHealth
    | typeof MonitorHealth,
  method: 'live' | 'ready',
): string {
  const base = Reflect.getMetadata('path', controller) as string;
  const path = Reflect.getMetadata(
    'path',
    controller.prototype[method],
  ) as string;
  return `/${base}/${path}`;
}

/** What each app serves its health on: the port variable and the routes. */
const APPS = {
  api: {
    portVariable: 'API_PORT',
    defaultPort: defaults.API_PORT,
    ready: route(ApiHealth, 'ready'),
    live: route(ApiHealth, 'live'),
  },
  worker: {
    portVariable: 'WORKER_HEALTH_PORT',
    defaultPort: defaults.WORKER_HEALTH_PORT,
    ready: route(WorkerHealth, 'ready'),
    live: route(WorkerHealth, 'live'),
  },
  beat: {
    portVariable: 'BEAT_HEALTH_PORT',
    defaultPort: defaults.BEAT_HEALTH_PORT,
    ready: route(BeatHealth, 'ready'),
    live: route(BeatHealth, 'live'),
  },
  monitor: {
    portVariable: 'MONITOR_PORT',
    defaultPort: defaults.MONITOR_PORT,
    ready: route(MonitorHealth, 'ready'),
    live: route(MonitorHealth, 'live'),
  },
} as const;
type AppName = keyof typeof APPS;

interface Service {
  build?: unknown;
  image?: string;
  container_name?: string;
  hostname?: string;
  command?: string[];
  init?: boolean;
  environment?: Record<string, string>;
  ports?: string[];
  volumes?: string[];
  depends_on?: Record<string, { condition?: string }>;
  healthcheck?: { test?: string[] };
  stop_grace_period?: string;
  restart?: string;
  profiles?: string[];
}

const compose = load(read('docker-compose.yaml'), {
  // Compose (PyYAML) merges `<<: *anchor` keys; the ha profile uses them.
  schema: CORE_SCHEMA.withTags(mergeTag),
}) as {
  services: Record<string, Service>;
};

/**
 * `npm run start:<app>`'s node command line: the script `exec`s node, so npm's
 * forwarded SIGTERM reaches node, not a shell in between.
 */
function nodeCommandOf(app: AppName): string {
  const script = scripts[`start:${app}`];
  expect(script).toMatch(/^exec node /);
  return script.replace(/^exec /, '');
}

/** The app a command starts: node, running what start:<app> runs. */
function appOf(command: string[] | undefined): AppName {
  const joined = (command ?? []).join(' ');
  const app = (Object.keys(APPS) as AppName[]).find(
    (name) => nodeCommandOf(name) === joined,
  );
  if (!app) {
    throw new Error(`not node running an app's start script: ${joined}`);
  }
  return app;
}

/** The host side of a published port: loopback unless PUBLISH_ADDRESS says. */
const PUBLISHED =
  /^\$\{PUBLISH_ADDRESS:-127\.0\.0\.1\}:\$\{[A-Z_]+_HOST_PORT:-\d+\}:(\d+)$/;

describe('docker-compose.yaml', () => {
  // Every app, the `ha` profile's too (compose-ha-files.e2e-spec.ts checks
  // how that profile is wired); plainApps: the default stack's.
  const apps = Object.entries(compose.services).filter(
    ([, service]) => service.build !== undefined,
  );
  const plainApps = apps.filter(([, service]) => !service.profiles);

  it('has the api, the worker, beat, the monitor, RabbitMQ and Redis under their names', () => {
    const names = Object.values(compose.services)
      .filter((service) => !service.profiles)
      .map((service) => service.container_name);
    expect(names.sort()).toEqual(
      [
        'celeriac-rabbitmq',
        'celeriac-redis',
        'celeriac-web',
        'celeriac-worker',
        'celeriac-beat',
        'celeriac-monitor',
      ].sort(),
    );
    expect(
      plainApps.map(([, service]) => appOf(service.command)).sort(),
    ).toEqual(['api', 'beat', 'monitor', 'worker']);
  });

  it.each(apps)(
    '%s: its health check calls a route it serves on its port',
    (_name, service) => {
      const app = APPS[appOf(service.command)];
      const port = Number(
        service.environment?.[app.portVariable] ?? app.defaultPort,
      );
      expect(service.healthcheck?.test).toEqual([
        'CMD',
        'node',
        'scripts/healthcheck.mjs',
        `http://127.0.0.1:${port}${app.ready}`,
      ]);
      for (const mapping of service.ports ?? []) {
        expect(PUBLISHED.exec(mapping)?.[1]).toBe(String(port));
      }
    },
  );

  it.each(apps)(
    '%s: runs node under an init, so docker stop reaches it',
    (_name, service) => {
      expect(service.init).toBe(true);
      expect(service.stop_grace_period).toMatch(/^\d+s$/);
    },
  );

  it('ships a 3-node RabbitmqCluster whose pods the commented BROKER_URL list names', () => {
    const [cluster] = loadAll(read('deploy/k8s/rabbitmq-cluster.yaml')) as {
      kind: string;
      metadata: { name: string };
      spec: { replicas: number };
    }[];
    expect(cluster.kind).toBe('RabbitmqCluster');
    expect(cluster.spec.replicas).toBe(3);
    const name = cluster.metadata.name;
    const listed = read('deploy/k8s/rabbitmq-cluster.yaml')
      .split('\n')
      .find((line) => line.startsWith('#   amqp://'))
      ?.slice(4);
    expect(listed).toBeDefined();
    const brokers = listed!.replaceAll(
      '<user>:<password>',
      'celeriac:Xk3-long-secret',
    );
    expect(brokers.split(';')).toEqual(
      [0, 1, 2].map(
        (n) =>
          `amqp://celeriac:Xk3-long-secret@${name}-server-${n}.${name}-nodes:5672//`,
      ),
    );
    expect(validateEnvironment({ BROKER_URL: brokers }).BROKER_URL).toBe(
      brokers,
    );
  });

  it('gives the worker more than WORKER_SHUTDOWN_TIMEOUT to stop', () => {
    const { worker } = compose.services;
    const timeout = Number(
      worker.environment?.WORKER_SHUTDOWN_TIMEOUT ??
        defaults.WORKER_SHUTDOWN_TIMEOUT,
    );
    expect(parseInt(worker.stop_grace_period ?? '10s', 10)).toBeGreaterThan(
      timeout,
    );
  });

  it('publishes every port on 127.0.0.1 by default, each host port a variable', () => {
    const mappings = Object.values(compose.services).flatMap(
      (service) => service.ports ?? [],
    );
    expect(mappings.length).toBeGreaterThan(0);
    for (const mapping of mappings) {
      expect(mapping).toMatch(PUBLISHED);
    }
  });

  it('gives the apps the credentials RabbitMQ is given', () => {
    const { rabbitmq } = compose.services;
    const user = rabbitmq.environment?.RABBITMQ_DEFAULT_USER;
    const password = rabbitmq.environment?.RABBITMQ_DEFAULT_PASS;
    expect(user).toBe('${RABBITMQ_USER:-guest}');
    expect(password).toBe('${RABBITMQ_PASSWORD:-guest}');
    for (const [, service] of plainApps) {
      expect(service.environment?.BROKER_URL).toBe(
        `amqp://${user}:${password}@rabbitmq:5672//`,
      );
    }
  });

  it('gives Redis a password and the apps the same one', () => {
    const { redis } = compose.services;
    expect(redis.command).toEqual([
      'redis-server',
      '--requirepass',
      '${REDIS_PASSWORD:-celeriac}',
    ]);
    for (const [, service] of plainApps) {
      expect(service.environment?.RESULT_BACKEND_URL).toBe(
        'redis://:${REDIS_PASSWORD:-celeriac}@redis:6379/0',
      );
    }
  });

  it.each(plainApps)(
    '%s: starts once RabbitMQ and Redis are healthy, and restarts',
    (_name, service) => {
      expect(service.depends_on).toEqual({
        rabbitmq: { condition: 'service_healthy' },
        redis: { condition: 'service_healthy' },
      });
      expect(service.restart).toBeDefined();
    },
  );

  it.each(apps)('%s: sets only variables celeriac reads', (_name, service) => {
    for (const name of Object.keys(service.environment ?? {})) {
      expect([name, known.has(name)]).toEqual([name, true]);
    }
  });

  it('health-checks RabbitMQ and Redis, keeps RabbitMQ data under ./data across recreates', () => {
    const { rabbitmq, redis } = compose.services;
    expect(rabbitmq.healthcheck?.test).toBeDefined();
    expect(redis.healthcheck?.test).toBeDefined();
    expect(rabbitmq.volumes).toContain(
      '${RABBITMQ_DATA_DIR:-./data/rabbitmq}:/var/lib/rabbitmq',
    );
    // The data lives under rabbit@<hostname>: a container id would change.
    expect(rabbitmq.hostname).toMatch(/^[a-z][a-z0-9-]*$/);
    expect(rabbitmq.restart).toBeDefined();
    expect(redis.restart).toBeDefined();
  });
});

describe('.env.example', () => {
  const listed = read('.env.example')
    .split('\n')
    .map((line) => /^#?\s*([A-Z][A-Z0-9_]*)=/.exec(line)?.[1])
    .filter((name): name is string => name !== undefined);
  const interpolated = new Set(
    [...read('docker-compose.yaml').matchAll(/\$\{([A-Z0-9_]+)/g)].map(
      (match) => match[1],
    ),
  );

  it('lists every variable docker-compose.yaml reads', () => {
    for (const name of interpolated) {
      expect([name, listed.includes(name)]).toEqual([name, true]);
    }
  });

  it('lists only variables celeriac or the compose file reads', () => {
    for (const name of listed) {
      expect([name, known.has(name) || interpolated.has(name)]).toEqual([
        name,
        true,
      ]);
    }
  });
});

describe('Dockerfile', () => {
  const stages = read('Dockerfile')
    .split('\n')
    .filter((line) => line.trim() !== '' && !line.startsWith('#'))
    .join('\n')
    .split(/^(?=FROM )/m);
  const runtime = stages.at(-1) ?? '';

  it('builds with npm run build on Node 24 slim', () => {
    // Each stage starts from Node 24 slim or from an earlier stage.
    const named: string[] = [];
    for (const stage of stages) {
      const [, image, name] = /^FROM (\S+)(?: AS (\S+))?/.exec(stage) ?? [];
      expect(image === 'node:24-slim' || named.includes(image)).toBe(true);
      named.push(name);
    }
    expect(stages.some((stage) => /^RUN npm run build$/m.test(stage))).toBe(
      true,
    );
  });

  it('runs production dependencies only, as a non-root user, health-checked', () => {
    expect(runtime).toMatch(/^RUN npm ci --omit=dev\b/m);
    const user = /^USER (\S+)$/m.exec(runtime)?.[1];
    expect(user).toBeDefined();
    expect(['root', '0']).not.toContain(user);
    // Without a url the script finds the app that listens: see below.
    const healthcheck = /^HEALTHCHECK .*CMD (.*)$/m.exec(runtime)?.[1];
    expect(healthcheck).toBe('["node", "scripts/healthcheck.mjs"]');
    expect(runtime).toMatch(/^COPY .*scripts/m);
  });

  it('runs the api as node itself (exec form), so SIGTERM reaches it', () => {
    const cmd = /^CMD (.*)$/m.exec(runtime)?.[1] ?? '';
    expect((JSON.parse(cmd) as string[]).join(' ')).toBe(nodeCommandOf('api'));
  });

  it('leaves installed and built output, data and test output out of the build context', () => {
    expect(existsSync(resolve(ROOT, '.dockerignore'))).toBe(true);
    const ignored = read('.dockerignore').split('\n');
    expect(ignored).toEqual(
      expect.arrayContaining([
        'node_modules',
        'dist',
        '.env',
        '/data',
        'test-results',
        'bench/results',
      ]),
    );
    expect(read('.gitignore').split('\n')).toContain('/data/');
  });
});

describe('scripts/healthcheck.mjs without a url', () => {
  const source = read('scripts/healthcheck.mjs');

  it.each(Object.entries(APPS))(
    "probes the %s's ready route on the port it reads",
    (_name, app) => {
      expect(source).toContain(`['${app.portVariable}', ${app.defaultPort}]`);
      expect(source).toContain(`const READY_PATH = '${app.ready}';`);
    },
  );
});

describe('deploy/supervisor/supervisord.conf', () => {
  const conf = read('deploy/supervisor/supervisord.conf');
  const program = (name: string): string =>
    new RegExp(`^\\[program:${name}\\]\\n([^[]*)`, 'm').exec(conf)?.[1] ?? '';
  const setting = (name: string, key: string): string | undefined =>
    new RegExp(`^${key}=(.*)$`, 'm').exec(program(name))?.[1];

  it.each(['api', 'worker', 'beat', 'monitor'] as const)(
    '%s: runs what its npm start script runs, from CELERIAC_HOME',
    (name) => {
      expect(setting(name, 'command')).toBe(nodeCommandOf(name));
      expect(setting(name, 'directory')).toBe('%(ENV_CELERIAC_HOME)s');
      expect(setting(name, 'autorestart')).toBe('true');
      expect(setting(name, 'stopsignal')).toBe('TERM');
      for (const assignment of (setting(name, 'environment') ?? '').split(
        ',',
      )) {
        const variable = assignment.split('=')[0];
        if (variable !== 'NODE_ENV') {
          expect([variable, known.has(variable)]).toEqual([variable, true]);
        }
      }
    },
  );

  it('gives the worker more than WORKER_SHUTDOWN_TIMEOUT to stop', () => {
    const timeout = Number(
      /WORKER_SHUTDOWN_TIMEOUT="(\d+)"/.exec(
        setting('worker', 'environment') ?? '',
      )?.[1] ?? defaults.WORKER_SHUTDOWN_TIMEOUT,
    );
    expect(Number(setting('worker', 'stopwaitsecs'))).toBeGreaterThan(timeout);
  });
});

interface Probe {
  httpGet?: { path?: string; port?: number };
}
interface Container {
  command?: string[];
  ports?: { containerPort: number }[];
  envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[];
  startupProbe?: Probe;
  livenessProbe?: Probe;
  readinessProbe?: Probe;
  resources?: { requests?: object; limits?: object };
}
interface Manifest {
  kind: string;
  metadata: { name: string };
  data?: Record<string, string>;
  stringData?: Record<string, string>;
  spec?: {
    scaleTargetRef?: { name: string };
    triggers?: { type: string; metadata: Record<string, string> }[];
    template?: {
      spec: {
        containers: Container[];
        terminationGracePeriodSeconds?: number;
      };
    };
  };
}

describe('deploy/k8s', () => {
  const manifests = [
    'config',
    'api',
    'worker',
    'beat',
    'monitor',
    'keda',
  ].flatMap((file) => loadAll(read(`deploy/k8s/${file}.yaml`)) as Manifest[]);
  const find = (kind: string, name: string): Manifest => {
    const found = manifests.find(
      (manifest) => manifest.kind === kind && manifest.metadata.name === name,
    );
    if (!found) {
      throw new Error(`no ${kind} ${name}`);
    }
    return found;
  };
  const config = find('ConfigMap', 'celeriac-config').data ?? {};
  const secrets = find('Secret', 'celeriac-secrets').stringData ?? {};

  it('keeps only variables celeriac reads in the ConfigMap and Secret', () => {
    for (const name of [...Object.keys(config), ...Object.keys(secrets)]) {
      expect([name, known.has(name)]).toEqual([name, true]);
    }
  });

  it('ships a Secret no app starts with, until every placeholder is replaced', () => {
    const shipped = { ...config, ...secrets };
    expect(() => validateEnvironment(shipped)).toThrow(ConfigValidationError);
    for (const name of Object.keys(secrets)) {
      expect(() => validateEnvironment(shipped)).toThrow(
        `${name} still holds a placeholder`,
      );
    }
    const filled = Object.fromEntries(
      Object.entries(shipped).map(([name, value]) => [
        name,
        String(value).replace('REPLACE_ME', 'a-real-Secret-42'),
      ]),
    );
    expect(validateEnvironment(filled).CELERIAC_REQUIRE_CREDENTIALS).toBe(true);
    // guest/guest is refused there even without a placeholder.
    expect(() =>
      validateEnvironment({
        ...filled,
        BROKER_URL: 'amqp://guest:guest@rabbitmq:5672//',
      }),
    ).toThrow("BROKER_URL uses RabbitMQ's default guest/guest");
  });

  it.each(['api', 'worker', 'beat', 'monitor'] as const)(
    '%s: probes its Terminus routes on the port it listens on',
    (name) => {
      const deployment = find('Deployment', `celeriac-${name}`);
      const [container] = deployment.spec?.template?.spec.containers ?? [];
      expect(appOf(container.command)).toBe(name);
      const app = APPS[name];
      const port = Number(config[app.portVariable] ?? app.defaultPort);
      expect(container.ports?.map((entry) => entry.containerPort)).toEqual([
        port,
      ]);
      expect(container.startupProbe?.httpGet).toEqual({ path: app.live, port });
      expect(container.livenessProbe?.httpGet).toEqual({
        path: app.live,
        port,
      });
      expect(container.readinessProbe?.httpGet).toEqual({
        path: app.ready,
        port,
      });
      expect(container.resources?.requests).toBeDefined();
      expect(container.resources?.limits).toBeDefined();
      expect(container.envFrom).toEqual([
        { configMapRef: { name: 'celeriac-config' } },
        { secretRef: { name: 'celeriac-secrets' } },
      ]);
      expect(() => find('Service', `celeriac-${name}`)).not.toThrow();
      // Time to close after SIGTERM, said explicitly for each app.
      expect(
        deployment.spec?.template?.spec.terminationGracePeriodSeconds,
      ).toBeGreaterThan(0);
    },
  );

  it('gives the worker more than WORKER_SHUTDOWN_TIMEOUT to stop', () => {
    const grace = find('Deployment', 'celeriac-worker').spec?.template?.spec
      .terminationGracePeriodSeconds;
    expect(grace).toBeGreaterThan(
      Number(
        config.WORKER_SHUTDOWN_TIMEOUT ?? defaults.WORKER_SHUTDOWN_TIMEOUT,
      ),
    );
  });

  it('runs two beat replicas: schedules survive one replica down, and fire once', () => {
    expect(
      (find('Deployment', 'celeriac-beat').spec as { replicas?: number })
        .replicas,
    ).toBe(2);
  });

  it('scales the worker on the length of the queue it consumes', () => {
    const scaled = find('ScaledObject', 'celeriac-worker');
    expect(scaled.spec?.scaleTargetRef?.name).toBe('celeriac-worker');
    const [trigger] = scaled.spec?.triggers ?? [];
    expect(trigger.type).toBe('rabbitmq');
    expect(trigger.metadata.mode).toBe('QueueLength');
    expect(config.WORKER_QUEUES.split(',')).toContain(
      trigger.metadata.queueName,
    );
  });
});
