// Remote-control ping while a worker's slots are busy: two spin_task (a
// busy loop that never yields) run, and pings go to the worker's pidbox at
// a steady pace meanwhile. In processes / threads the worker's own loop is
// free and answers at once; on the event loop the spin holds it, so a ping
// waits for the spin to end. The reply time is what `celery inspect ping`
// waits for (celeriac's ControlClient speaks the same pidbox protocol).
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import amqpConnectionManager from 'amqp-connection-manager';
import { broker, percentile, publishAll, waitForResults } from './workload.mjs';

function spinMessages(count, seconds) {
  return Array.from({ length: count }, () => {
    const id = randomUUID();
    const { content, options } = broker.encodeTaskMessage(
      broker.buildTaskMessage({
        task: 'spin_task',
        id,
        args: [seconds],
        kwargs: {},
        argsForm: 'list',
      }),
    );
    return { id, content, options };
  });
}

/** A control client on its own connection; `close()` when done. */
export async function startControlClient(brokerUrl) {
  const connection = amqpConnectionManager.connect([brokerUrl]);
  const client = new broker.ControlClient(connection);
  await client.start();
  return {
    client,
    async close() {
      await client.stop();
      await connection.close();
    },
  };
}

/**
 * Publishes two spin_task(settings.spinSeconds), waits until the worker
 * holds both, sends settings.pings pings to `node` every
 * settings.pingIntervalMs, and returns the reply times (p50, p99, max, in
 * ms), how many got no reply, and whether the spins outlasted the pings.
 */
export async function pingWhileSpinning(
  { channel, redis, queue, node, control, settings },
  spinIds,
) {
  const spins = spinMessages(2, settings.spinSeconds);
  spinIds.push(...spins.map(({ id }) => id));
  const published = performance.now();
  await publishAll(channel, queue, spins);
  // Prefetch 2: an empty queue means the worker holds both.
  while ((await channel.checkQueue(queue)).messageCount > 0) {
    await sleep(5);
  }
  await sleep(200);
  const timeout = settings.spinSeconds * 2 + 5;
  const replies = [];
  for (let index = 0; index < settings.pings; index++) {
    const sent = performance.now();
    replies.push(
      control
        .broadcast('ping', { reply: true, destination: [node], timeout })
        .then((answers) =>
          answers.length > 0 ? performance.now() - sent : null,
        ),
    );
    await sleep(settings.pingIntervalMs);
  }
  const lastSent = performance.now();
  const times = await Promise.all(replies);
  const done = await waitForResults(
    channel,
    redis,
    queue,
    spins.map(({ id }) => id),
    timeout * 1000,
  );
  const answered = times.filter((time) => time !== null);
  return {
    spinTaskSeconds: settings.spinSeconds,
    pings: settings.pings,
    unanswered: settings.pings - answered.length,
    p50Ms: percentile(answered, 50),
    p99Ms: percentile(answered, 99),
    maxMs: percentile(answered, 100),
    // Every ping was sent while both spins still ran (or waited, on the event loop).
    spinsOutlastedPings: done > lastSent,
    spinsSeconds: (done - published) / 1000,
  };
}
