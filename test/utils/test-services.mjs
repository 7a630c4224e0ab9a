// Each jest worker of the e2e and interop suites has the shared RabbitMQ and
// Redis to itself: a vhost and a Redis database per JEST_WORKER_ID, so that
// suites running side by side never see each other's events, pidbox
// broadcasts or BullMQ schedules (see test/utils/README.md).
import { execFileSync } from 'node:child_process';

/**
 * Where this checkout's suites run. Two checkouts testing side by side on one
 * machine set CELERIAC_TEST_VHOST_PREFIX and CELERIAC_TEST_REDIS_PORT (a
 * redis-server of their own) so their jest workers never meet.
 */
export const TEST_VHOST_PREFIX =
  process.env.CELERIAC_TEST_VHOST_PREFIX || 'celeriac-test';
export const TEST_REDIS_PORT = Number(
  process.env.CELERIAC_TEST_REDIS_PORT || 6379,
);

/** The vhost of jest worker `workerId` (1-based, as JEST_WORKER_ID). */
export function testVhost(workerId) {
  return `${TEST_VHOST_PREFIX}-${workerId}`;
}

/**
 * The Redis database of jest worker `workerId`: 1 to 8. Suites that want a
 * database to themselves take one of 9-14 (batch-submit 14, grafana-metrics
 * 9-13); 0 is what the apps default to.
 */
export function testRedisDb(workerId) {
  const db = Number(workerId);
  if (!Number.isInteger(db) || db < 1 || db > 8) {
    throw new Error(
      `JEST_WORKER_ID ${workerId} has no Redis database of its own: run at most 8 jest workers.`,
    );
  }
  return db;
}

function rabbitmqctl(...args) {
  return execFileSync('rabbitmqctl', ['-q', ...args], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 60_000,
  });
}

/**
 * Creates the vhosts of jest workers 1..`workers` on the local RabbitMQ
 * (guest may use them); one `rabbitmqctl` call when they all exist already.
 * Nothing is ever deleted: another checkout may be using them.
 */
export function ensureTestVhosts(workers) {
  const wanted = Array.from({ length: Math.max(1, workers) }, (_, index) =>
    testVhost(index + 1),
  );
  let permitted;
  try {
    permitted = new Set(
      rabbitmqctl('list_user_permissions', 'guest')
        .split('\n')
        .map((line) => line.split('\t')[0]),
    );
  } catch (error) {
    throw new Error(
      `The test vhosts (${wanted.join(', ')}) need rabbitmqctl on this host, which failed (${error.message.split('\n')[0]}): run the tests as root next to the RabbitMQ on 127.0.0.1:5672.`,
      { cause: error },
    );
  }
  for (const vhost of wanted.filter((name) => !permitted.has(name))) {
    rabbitmqctl('add_vhost', vhost);
    rabbitmqctl('set_permissions', '-p', vhost, 'guest', '.*', '.*', '.*');
  }
}
