import { randomBytes } from 'node:crypto';
import { type OwnedRabbitmq, startOwnedRabbitmq } from './owned-rabbitmq';

/** A RabbitMQ cluster the test owns: nodes sharing a cookie, joined to the first. */
export interface OwnedRabbitmqCluster {
  readonly nodes: readonly OwnedRabbitmq[];
  /** `BROKER_URL` listing every node (Celery's `;` failover list). */
  readonly brokerUrl: string;
  /** How long starting and joining took, in ms. */
  readonly bootMs: number;
  /** Stops every node still running. */
  stop(): Promise<void>;
}

/**
 * Starts `size` local RabbitMQ nodes at once (each with its own name,
 * ports and mnesia dir, never the shared 5672) and joins the others to the
 * first with `rabbitmqctl join_cluster`, as an operator would.
 */
export async function startOwnedRabbitmqCluster(
  size = 3,
): Promise<OwnedRabbitmqCluster> {
  const started = Date.now();
  const cookie = randomBytes(20).toString('hex').toUpperCase();
  const booted = await Promise.allSettled(
    Array.from({ length: size }, () => startOwnedRabbitmq({ cookie })),
  );
  const nodes = booted.flatMap((one) =>
    one.status === 'fulfilled' ? [one.value] : [],
  );
  const stop = async () => {
    await Promise.allSettled(nodes.map((node) => node.stop()));
  };
  const failed = booted.find(
    (one): one is PromiseRejectedResult => one.status === 'rejected',
  );
  if (failed) {
    await stop();
    throw failed.reason;
  }
  try {
    const [first, ...others] = nodes;
    // One at a time: concurrent joins to one node can race in mnesia.
    for (const node of others) {
      await node.ctl('stop_app');
      await node.ctl('join_cluster', first.nodeName);
      await node.ctl('start_app');
    }
    await first.ctl('await_online_nodes', String(size));
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    nodes,
    brokerUrl: nodes
      .map(({ port }) => `amqp://guest:guest@127.0.0.1:${port}//`)
      .join(';'),
    bootMs: Date.now() - started,
    stop,
  };
}
