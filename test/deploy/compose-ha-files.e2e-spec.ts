// Static checks of docker-compose.yaml's `ha` profile (compose.stack-spec.ts
// runs it): three RabbitMQ nodes that join one cluster, Redis with a replica
// under three sentinels, and the four apps wired to all of them, each app
// otherwise the same as its counterpart in the default stack.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { CORE_SCHEMA, load, mergeTag } from 'js-yaml';
import { validateEnvironment } from '@celeriac/config';

interface Service {
  build?: unknown;
  image?: string;
  profiles?: string[];
  container_name?: string;
  hostname?: string;
  command?: string[];
  init?: boolean;
  environment?: Record<string, string>;
  volumes?: string[];
  depends_on?: Record<string, { condition?: string }>;
  healthcheck?: { test?: string[] };
  stop_grace_period?: string;
  restart?: string;
}

const ROOT = process.cwd();
const read = (path: string): string =>
  readFileSync(resolve(ROOT, path), 'utf8');
const { services } = load(read('docker-compose.yaml'), {
  // Compose (PyYAML) merges `<<: *anchor` keys; the ha profile uses them.
  schema: CORE_SCHEMA.withTags(mergeTag),
}) as {
  services: Record<string, Service>;
};
const NODES = ['rabbitmq-1', 'rabbitmq-2', 'rabbitmq-3'];
const REDIS_NODES = ['redis-node-1', 'redis-node-2'];
const SENTINELS = ['sentinel-1', 'sentinel-2', 'sentinel-3'];
const APPS = {
  'api-ha': 'api',
  'worker-ha': 'worker',
  'beat-ha': 'beat',
  'monitor-ha': 'monitor',
};
/** The settings that make an app of the ha stack one. */
const HA_SETTINGS = [
  'BROKER_URL',
  'RESULT_BACKEND_URL',
  'RESULT_BACKEND_SENTINEL_MASTER',
  'TASK_QUEUE_TYPE',
  'RESULT_BACKEND_WAIT_REPLICAS',
];

/** `${NAME:-default}` replaced by its default: what compose runs without a .env. */
const withDefaults = (value: string): string =>
  value.replace(/\$\{[A-Z0-9_]+:-([^}]*)\}/g, '$1');

/** The host file a service mounts at `target`. */
function mounted(service: Service, target: string): string | undefined {
  const volume = (service.volumes ?? []).find(
    (entry) => entry.split(':')[1] === target,
  );
  return volume?.split(':')[0];
}

const without = (
  environment: Record<string, string> | undefined,
  names: string[],
): Record<string, string> =>
  Object.fromEntries(
    Object.entries(environment ?? {}).filter(([name]) => !names.includes(name)),
  );

describe("docker-compose.yaml's ha profile", () => {
  const ha = Object.entries(services).filter(([, service]) =>
    service.profiles?.includes('ha'),
  );

  it('holds three RabbitMQ nodes, two Redis nodes, three sentinels and the four apps, each named', () => {
    expect(ha.map(([name]) => name).sort()).toEqual(
      [...NODES, ...REDIS_NODES, ...SENTINELS, ...Object.keys(APPS)].sort(),
    );
    for (const [name, service] of ha) {
      expect([name, service.profiles]).toEqual([name, ['ha']]);
      expect(service.container_name).toMatch(/^celeriac-[a-z0-9-]+$/);
      expect(service.restart).toBe('unless-stopped');
      expect(service.healthcheck?.test).toBeDefined();
    }
    // The default stack has no profile: `docker compose up` runs only it.
    const profiled = Object.values(services).filter((s) => s.profiles).length;
    expect(profiled).toBe(ha.length);
  });

  it('runs the default RabbitMQ image as rabbit@<service>, with one cookie and its credentials', () => {
    const { rabbitmq } = services;
    for (const node of NODES) {
      const service = services[node];
      expect([node, service.image, service.hostname]).toEqual([
        node,
        rabbitmq.image,
        node,
      ]);
      expect(service.environment).toEqual({
        ...rabbitmq.environment,
        RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS:
          '-setcookie ${RABBITMQ_ERLANG_COOKIE:-celeriac-compose-ha}',
        RABBITMQ_CTL_ERL_ARGS:
          '-setcookie ${RABBITMQ_ERLANG_COOKIE:-celeriac-compose-ha}',
      });
      // Healthy once RabbitMQ runs, i.e. after the node joined the cluster.
      expect(service.healthcheck?.test).toEqual([
        'CMD',
        'rabbitmq-diagnostics',
        '-q',
        'check_running',
      ]);
    }
  });

  it('forms the cluster one join at a time: rabbitmq-2 joins rabbitmq-1, rabbitmq-3 joins rabbitmq-2', () => {
    const target = '/etc/rabbitmq/conf.d/90-celeriac-cluster.conf';
    expect(mounted(services['rabbitmq-1'], target)).toBeUndefined();
    for (const [node, peer] of [
      ['rabbitmq-2', 'rabbitmq-1'],
      ['rabbitmq-3', 'rabbitmq-2'],
    ]) {
      const file = mounted(services[node], target);
      expect(file && existsSync(resolve(ROOT, file))).toBe(true);
      const settings = read(file!)
        .split('\n')
        .filter((line) => line.trim() !== '' && !line.startsWith('#'));
      expect([node, settings]).toEqual([
        node,
        expect.arrayContaining([
          'cluster_formation.peer_discovery_backend = classic_config',
          `cluster_formation.classic_config.nodes.1 = rabbit@${peer}`,
        ]),
      ]);
      expect(
        settings.filter((line) => line.includes('classic_config.nodes')),
      ).toHaveLength(1);
    }
  });

  it('runs Redis nodes and sentinels from valid scripts, a quorum of 2 watching redis-node-1 first', () => {
    const scripts = new Map<string, string>();
    for (const name of [...REDIS_NODES, ...SENTINELS]) {
      const service = services[name];
      expect([name, service.image, service.hostname]).toEqual([
        name,
        services.redis.image,
        name,
      ]);
      expect(service.environment?.REDIS_PASSWORD).toBe(
        '${REDIS_PASSWORD:-celeriac}',
      );
      const [shell, script] = service.command ?? [];
      expect(shell).toBe('sh');
      const file = mounted(service, script);
      expect(file).toBeDefined();
      scripts.set(file!, read(file!));
    }
    for (const [file, text] of scripts) {
      const check = spawnSync('sh', ['-n'], { input: text });
      expect([file, check.status, check.stderr.toString()]).toEqual([
        file,
        0,
        '',
      ]);
    }
    const sentinel = [...scripts.values()].find((text) =>
      text.includes('--sentinel'),
    );
    expect(sentinel).toMatch(/sentinel monitor mymaster \$master 6379 2/);
    // `up` of the apps alone starts the whole group: they depend on the
    // sentinels, which depend on both nodes.
    for (const name of SENTINELS) {
      expect(Object.keys(services[name].depends_on ?? {}).sort()).toEqual(
        REDIS_NODES,
      );
    }
    expect(sentinel).toMatch(/\[ -z "\$master" \] && master=redis-node-1/);
  });

  it.each(Object.entries(APPS))(
    "%s: is the default stack's %s, wired to every RabbitMQ node and sentinel with quorum queues",
    (name, plainName) => {
      const service = services[name];
      const plain = services[plainName];
      for (const key of [
        'command',
        'init',
        'healthcheck',
        'stop_grace_period',
        'restart',
      ] as const) {
        expect([key, service[key]]).toEqual([key, plain[key]]);
      }
      expect(service.build).toEqual(plain.build);
      expect(without(service.environment, HA_SETTINGS)).toEqual(
        without(plain.environment, ['BROKER_URL', 'RESULT_BACKEND_URL']),
      );
      const { rabbitmq } = services;
      const credentials = `${rabbitmq.environment?.RABBITMQ_DEFAULT_USER}:${rabbitmq.environment?.RABBITMQ_DEFAULT_PASS}`;
      const env = service.environment ?? {};
      expect(env.BROKER_URL).toBe(
        NODES.map((node) => `amqp://${credentials}@${node}:5672//`).join(';'),
      );
      expect(env.RESULT_BACKEND_URL).toBe(
        SENTINELS.map(
          (sentinel, i) =>
            `sentinel://${i === 0 ? ':${REDIS_PASSWORD:-celeriac}@' : ''}${sentinel}:26379/0`,
        ).join(';'),
      );
      expect(env.RESULT_BACKEND_SENTINEL_MASTER).toBe('mymaster');
      expect(env.TASK_QUEUE_TYPE).toBe('quorum');
      // What the apps make of it: the lists parse as they are.
      const parsed = validateEnvironment(
        Object.fromEntries(
          Object.entries(env)
            .filter(([key]) => HA_SETTINGS.includes(key))
            .map(([key, value]) => [key, withDefaults(value)]),
        ),
      );
      expect(parsed.BROKER_URL).toBe(withDefaults(env.BROKER_URL));
      expect(parsed.RESULT_BACKEND_URL).toBe(
        withDefaults(env.RESULT_BACKEND_URL),
      );
      expect(parsed.TASK_QUEUE_TYPE).toBe('quorum');
      expect(service.depends_on).toEqual(
        Object.fromEntries(
          [...NODES, ...SENTINELS].map((dependency) => [
            dependency,
            { condition: 'service_healthy' },
          ]),
        ),
      );
    },
  );
});
