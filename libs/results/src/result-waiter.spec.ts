import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import {
  startOwnedRedis,
  type OwnedRedis,
} from '../../../test/utils/owned-redis';
import { pollUntil } from '../../../test/utils/poll-until';
import { createRedisClient } from './redis-client.factory';
import { taskMetaKey } from './result-keys';
import { ResultWaiter } from './result-waiter';
import type { TaskMeta } from './task-meta';

describe('ResultWaiter after a reconnect', () => {
  let redis: OwnedRedis;
  let client: Redis;
  let waiter: ResultWaiter;

  beforeAll(async () => {
    redis = await startOwnedRedis();
    client = createRedisClient(redis.url, { connectionName: 'waiter-spec' });
    waiter = new ResultWaiter(client);
  });

  afterAll(async () => {
    await waiter.onApplicationShutdown();
    client.disconnect();
    await redis.stop();
  });

  it('reads a watched key written while its subscription was away (a restart, a failover)', async () => {
    const taskId = randomUUID();
    const seen: TaskMeta[] = [];
    const stop = await waiter.watch(taskId, (meta) => seen.push(meta));
    await redis.stop();
    await redis.start();
    // Written before the subscriber is back, and without a PUBLISH: only a
    // read after resubscribing can see it.
    const writer = new Redis(redis.url);
    const meta = { task_id: taskId, status: 'SUCCESS', result: 3 };
    await writer.set(taskMetaKey(taskId), JSON.stringify(meta));
    await writer.quit();
    const delivered = await pollUntil(
      () => Promise.resolve(seen),
      (all) => all.length > 0,
      { timeoutMs: 10_000, intervalMs: 50 },
    );
    stop();
    expect(delivered).toEqual([meta]);
  });
});
