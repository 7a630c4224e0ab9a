// The compose file's `ha` profile as a test project (compose.stack-spec.ts
// runs it beside the default stack): three RabbitMQ nodes in one cluster,
// Redis with a replica under three sentinels, and the apps wired to them.
// What the test asks the servers, it asks inside their containers
// (rabbitmqctl, redis-cli), so nothing but the api is published.
import { setTimeout as sleep } from 'node:timers/promises';
import type { ComposeStack } from './compose-stack';

export const HA_PROFILE = 'ha';
export const RABBITMQ_NODES = ['rabbitmq-1', 'rabbitmq-2', 'rabbitmq-3'];
export const REDIS_NODES = ['redis-node-1', 'redis-node-2'];
export const SENTINELS = ['sentinel-1', 'sentinel-2', 'sentinel-3'];
/** Named on `up`, so only the ha stack starts (with what it depends on). */
export const HA_APPS = ['api-ha', 'worker-ha', 'beat-ha', 'monitor-ha'];
export const HA_SERVICES = [
  ...RABBITMQ_NODES,
  ...REDIS_NODES,
  ...SENTINELS,
  ...HA_APPS,
];
const SENTINEL_MASTER = 'mymaster';

/** `rabbitmqctl -q <args>` on one node, its output's lines (no header row). */
export async function rabbitmqctl(
  stack: ComposeStack,
  node: string,
  ...args: string[]
): Promise<string[]> {
  const output = await stack.execIn(node, 'rabbitmqctl', '-q', ...args);
  return output.split('\n').filter((line) => line.trim() !== '');
}

/** `rabbitmqctl -q --formatter json <args>` on one node, parsed. */
export async function rabbitmqctlJson<T>(
  stack: ComposeStack,
  node: string,
  ...args: string[]
): Promise<T> {
  const output = await stack.execIn(
    node,
    'rabbitmqctl',
    '-q',
    '--formatter',
    'json',
    ...args,
  );
  return JSON.parse(output) as T;
}

/** The service's address on the project's network; undefined once its container stopped. */
export async function addressOf(
  stack: ComposeStack,
  service: string,
): Promise<string | undefined> {
  const { NetworkSettings } = await stack.inspect(service);
  const [network] = Object.values(NetworkSettings.Networks ?? {});
  return network?.IPAddress || undefined;
}

/**
 * The RabbitMQ node `app`'s AMQP connection is on, read from the cluster's
 * connection list (`name` is `<client ip:port> -> <node ip:5672>`), asked
 * of `askOn`.
 */
export async function brokerNodeOf(
  stack: ComposeStack,
  app: string,
  askOn: string,
): Promise<string> {
  const appAddress = await addressOf(stack, app);
  // Nodes that still run (a killed one has no address).
  const nodeAddresses = new Map(
    (
      await Promise.all(
        RABBITMQ_NODES.map(
          async (node) => [await addressOf(stack, node), node] as const,
        ),
      )
    ).filter(([address]) => address !== undefined),
  );
  const lines = await rabbitmqctl(
    stack,
    askOn,
    'list_connections',
    '--no-table-headers',
    'name',
  );
  for (const line of lines) {
    const [, client, server] = /^(\S+):\d+ -> (\S+):\d+/.exec(line) ?? [];
    if (appAddress && client === appAddress && nodeAddresses.has(server)) {
      return nodeAddresses.get(server)!;
    }
  }
  throw new Error(
    `no connection of ${app} (${appAddress}) in: ${lines.join(' | ')}`,
  );
}

/** `redis-cli -p 26379 <args>` on a sentinel: the reply's lines. */
export async function askSentinel(
  stack: ComposeStack,
  sentinel: string,
  ...args: string[]
): Promise<string[]> {
  const output = await stack.execIn(
    sentinel,
    'redis-cli',
    '-p',
    '26379',
    ...args,
  );
  return output.split('\n').filter((line) => line !== '');
}

/** Where a sentinel says the master is: its name (the nodes are announced by name). */
export async function sentinelMaster(
  stack: ComposeStack,
  sentinel: string,
): Promise<string> {
  const [host] = await askSentinel(
    stack,
    sentinel,
    'sentinel',
    'get-master-addr-by-name',
    SENTINEL_MASTER,
  );
  return host ?? '';
}

/** Waits until `sentinel` knows a replica in sync and the other two sentinels. */
export async function sentinelsReady(
  stack: ComposeStack,
  sentinel: string,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let seen = '';
  while (Date.now() < deadline) {
    const replicas = await askSentinel(
      stack,
      sentinel,
      'sentinel',
      'replicas',
      SENTINEL_MASTER,
    );
    const others = await askSentinel(
      stack,
      sentinel,
      'sentinel',
      'sentinels',
      SENTINEL_MASTER,
    );
    // redis-cli prints each reply field on its own line: flags, then its value.
    const flags = replicas.filter((_, i) => replicas[i - 1] === 'flags');
    const sentinelNames = others.filter((_, i) => others[i - 1] === 'name');
    seen = `replicas' flags ${flags.join(',')}; ${sentinelNames.length} other sentinels`;
    if (
      flags.some((value) => value === 'slave') &&
      sentinelNames.length === 2
    ) {
      return;
    }
    await sleep(1000);
  }
  throw new Error(`sentinels not ready: ${seen}`);
}

/**
 * `GET /solo/add` on the api at `base` until it answers 200 (a 503 during a
 * switch, or a refused connection, is tried again 0.5 s later).
 *
 * @returns the task id, and how many tries were refused first
 */
export async function submitUntilAccepted(
  base: string,
  a: number,
  b: number,
  timeoutMs: number,
): Promise<{ id: string; refused: number; statuses: string[] }> {
  const deadline = Date.now() + timeoutMs;
  const statuses: string[] = [];
  for (;;) {
    try {
      const response = await fetch(`${base}/solo/add?a=${a}&b=${b}`);
      if (response.status === 200) {
        const { task_id: id } = (await response.json()) as { task_id: string };
        return { id, refused: statuses.length, statuses };
      }
      statuses.push(String(response.status));
    } catch (error) {
      statuses.push((error as Error).message);
    }
    if (Date.now() > deadline) {
      throw new Error(`no submit accepted: ${statuses.join(', ')}`);
    }
    await sleep(500);
  }
}
