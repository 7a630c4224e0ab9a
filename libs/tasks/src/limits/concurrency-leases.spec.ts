// Against the real Redis (names of this spec only).
import { Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';
import { ConcurrencyLeases } from './concurrency-leases';

describe('concurrency leases in Redis', () => {
  const redis = new Redis({ host: '127.0.0.1', port: 6379 });
  const prefix = `test-leases-${randomUUID()}:`;
  const key = 'tenant-a';
  const owner = (name: string, timeoutMs = 60_000) =>
    new ConcurrencyLeases(redis, name, timeoutMs, prefix);

  afterAll(async () => {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) {
      await redis.del(...keys);
    }
    await redis.quit();
  });

  it('admits up to the limit, in arrival order across owners', async () => {
    const one = owner('one');
    const two = owner('two');
    await one.heartbeat();
    await two.heartbeat();
    expect(await one.acquire(key, 2, ['a1'])).toEqual(['a1']);
    expect(await two.acquire(key, 2, ['b1', 'b2'])).toEqual(['b1']);
    expect(await one.acquire(key, 2, ['a2'])).toEqual([]);
    await one.release(key, 'a1');
    // b2 came before a2: one may not take the slot.
    expect(await one.acquire(key, 2, [])).toEqual([]);
    expect(await two.acquire(key, 2, [])).toEqual(['b2']);
    expect(await one.count(key)).toEqual({ running: 2, waiting: 1 });
  });

  it("returns a dead owner's slots once its heartbeat expires", async () => {
    const dead = owner('dead', 300);
    const alive = owner('alive');
    await dead.heartbeat();
    await alive.heartbeat();
    const other = `${key}-${randomUUID()}`;
    expect(await dead.acquire(other, 1, ['d1'])).toEqual(['d1']);
    expect(await alive.acquire(other, 1, ['l1'])).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(await alive.acquire(other, 1, [])).toEqual(['l1']);
  });
});
