import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { revokedKey } from './result-keys';
import { RevokedRepository } from './revoked.repository';

describe(RevokedRepository.name, () => {
  const expiresSeconds = 60;
  let redis: Redis;
  let prefix: string;
  let sut: RevokedRepository;

  beforeAll(() => {
    redis = new Redis({ host: '127.0.0.1', port: 6379 });
  });

  beforeEach(() => {
    prefix = `test-${randomUUID()}:`;
    sut = new RevokedRepository(redis, { expiresSeconds, keyPrefix: prefix });
  });

  afterEach(async () => {
    await redis.del(revokedKey(prefix));
  });

  afterAll(async () => {
    await redis.quit();
  });

  /** Puts an id in the set as if revoked `ageSeconds` ago. */
  const revokedAgo = (id: string, ageSeconds: number) =>
    redis.zadd(revokedKey(prefix), Date.now() - ageSeconds * 1000, id);

  it('keeps every id of one revoke in the one prefixed ZSET, with its expiry', async () => {
    const ids = [randomUUID(), randomUUID()];

    await sut.revoke(ids);

    const key = `${prefix}celeriac-revoked`;
    expect(await redis.type(key)).toBe('zset');
    expect((await redis.zrange(key, '0', '-1')).sort()).toEqual(
      [...ids].sort(),
    );
    const ttl = await redis.ttl(key);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(expiresSeconds);
  });

  it('tells revoked ids from others', async () => {
    const id = randomUUID();
    await sut.revoke([id]);

    expect(await sut.isRevoked(id)).toBe(true);
    expect(await sut.isRevoked(randomUUID())).toBe(false);
  });

  it('gives a repository created later (a worker started later) the ids', async () => {
    const ids = [randomUUID(), randomUUID()];
    await sut.revoke(ids);
    const later = new Redis({ host: '127.0.0.1', port: 6379 });
    try {
      const loaded = await new RevokedRepository(later, {
        expiresSeconds,
        keyPrefix: prefix,
      }).load();

      expect(loaded).toEqual(new Set(ids));
    } finally {
      await later.quit();
    }
  });

  it('forgets revokes older than the TTL, and prunes them on the next revoke', async () => {
    const old = randomUUID();
    const recent = randomUUID();
    await revokedAgo(old, expiresSeconds + 5);
    await revokedAgo(recent, expiresSeconds - 5);

    expect(await sut.load()).toEqual(new Set([recent]));
    expect(await sut.isRevoked(old)).toBe(false);
    expect(await sut.isRevoked(recent)).toBe(true);

    const fresh = randomUUID();
    await sut.revoke([fresh]);
    expect((await redis.zrange(revokedKey(prefix), '0', '-1')).sort()).toEqual(
      [recent, fresh].sort(),
    );
  });

  it('renews the time of an id revoked again', async () => {
    const id = randomUUID();
    await revokedAgo(id, expiresSeconds + 5);

    await sut.revoke([id]);

    expect(await sut.isRevoked(id)).toBe(true);
  });

  it('keeps revokes forever, without expiry, when results never expire', async () => {
    const forever = new RevokedRepository(redis, {
      expiresSeconds: 0,
      keyPrefix: prefix,
    });
    const old = randomUUID();
    await revokedAgo(old, 365 * 24 * 3600);

    await forever.revoke([randomUUID()]);

    expect(await forever.isRevoked(old)).toBe(true);
    expect((await forever.load()).has(old)).toBe(true);
    expect(await redis.ttl(revokedKey(prefix))).toBe(-1);
  });

  it('does nothing for an empty list', async () => {
    await sut.revoke([]);

    expect(await redis.exists(revokedKey(prefix))).toBe(0);
    expect(await sut.load()).toEqual(new Set());
  });
});
