// API_RATE_LIMIT_STORE=redis: two api instances on the real Redis spend one
// budget per client, as replicas behind one Service should.
import type { INestApplication } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { REDIS_CLIENT } from '@celeriac/results';
import {
  RATE_LIMIT_KEY_PREFIX,
  RedisThrottlerStorage,
} from '../../apps/api/src/security/redis-throttler.storage';
import { useEnvironment } from '../utils/boot-apps';
import { pollUntil } from '../utils/poll-until';
import { bootSecuredApp } from '../utils/security-app';
import {
  BOOT_TIMEOUT_MS,
  TEARDOWN_TIMEOUT_MS,
  teardown,
} from '../utils/teardown';

const LIMIT = 3;
// Fresh keys each run: the counters outlive the test in the shared Redis.
const KEY = `shared-${randomUUID()}`;
const OTHER_KEY = `shared-other-${randomUUID()}`;
useEnvironment({
  API_KEYS: `${KEY},${OTHER_KEY}`,
  API_RATE_LIMIT: String(LIMIT),
  API_RATE_LIMIT_WINDOW: '60',
  API_RATE_LIMIT_STORE: 'redis',
});

describe('the rate limit shared through Redis (API_RATE_LIMIT_STORE=redis)', () => {
  let first: INestApplication;
  let second: INestApplication;
  const ping = (app: INestApplication, key: string) =>
    request(app.getHttpServer())
      .get('/v1/ping')
      .set('Authorization', `Bearer ${key}`);

  beforeAll(async () => {
    first = await bootSecuredApp();
    second = await bootSecuredApp();
  }, BOOT_TIMEOUT_MS);

  afterAll(
    () =>
      teardown(
        () => second?.close(),
        () => first?.close(),
      ),
    TEARDOWN_TIMEOUT_MS,
  );

  it('counts a key across both instances: the request past the limit gets a 429 on either', async () => {
    await ping(first, KEY).expect(200);
    await ping(second, KEY).expect(200);
    const third = await ping(first, KEY).expect(200);
    expect(third.headers['x-ratelimit-remaining']).toBe('0');

    const refused = await ping(second, KEY).expect(429);
    expect(refused.body).toMatchObject({ status: 429, code: 'RATE_LIMITED' });
    const retryAfter = Number(refused.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
    await ping(first, KEY).expect(429);

    await ping(second, OTHER_KEY).expect(200);
  });

  it('never limits the seed routes without API_RATE_LIMIT_SEED', async () => {
    for (let sent = 0; sent < LIMIT + 2; sent += 1) {
      const response = await request(first.getHttpServer())
        .get('/solo/ping')
        .expect(200);
      expect(response.headers['x-ratelimit-limit']).toBeUndefined();
    }
  });

  it('keeps API keys out of Redis key names', async () => {
    const redis = first.get<Redis>(REDIS_CLIENT);
    const names = await redis.keys(`${RATE_LIMIT_KEY_PREFIX}*`);

    expect(names.length).toBeGreaterThan(0);
    expect(names.filter((name) => name.includes(KEY))).toEqual([]);
  });

  it('blocks for the block duration, then counts afresh', async () => {
    const storage = new RedisThrottlerStorage(first.get<Redis>(REDIS_CLIENT));
    const key = `test:${randomUUID()}`;
    const hit = () => storage.increment(key, 1000, 1, 1000, 'default');

    expect(await hit()).toMatchObject({ totalHits: 1, isBlocked: false });
    expect(await hit()).toMatchObject({
      totalHits: 2,
      isBlocked: true,
      timeToBlockExpire: 1,
    });
    // Still blocked: hits made while blocked are not counted.
    expect(await hit()).toMatchObject({ totalHits: 2, isBlocked: true });

    const after = await pollUntil(hit, (record) => !record.isBlocked, {
      timeoutMs: 5000,
      intervalMs: 200,
    });
    expect(after).toMatchObject({ totalHits: 1, isBlocked: false });
  });
});
