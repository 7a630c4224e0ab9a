import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { useEnvironment } from '../utils/boot-apps';
import { bootSecuredApp } from '../utils/security-app';
import {
  BOOT_TIMEOUT_MS,
  TEARDOWN_TIMEOUT_MS,
  teardown,
} from '../utils/teardown';

const LIMIT = 3;
const KEY = 'limit-key-0123456789abcdef';
const OTHER_KEY = 'limit-other-key-0123456789';
useEnvironment({
  API_KEYS: `${KEY},${OTHER_KEY}`,
  API_PROTECT_SEED: 'true',
  API_RATE_LIMIT: String(LIMIT),
  API_RATE_LIMIT_WINDOW: '60',
  // The seed routes count too only when asked; this suite asks.
  API_RATE_LIMIT_SEED: 'true',
});

describe('the api security layer (rate limit, protected seed)', () => {
  let app: INestApplication;
  const http = () => request(app.getHttpServer());
  const withKey = (key: string, path = '/v1/ping') =>
    http().get(path).set('Authorization', `Bearer ${key}`);

  beforeAll(async () => {
    app = await bootSecuredApp();
  }, BOOT_TIMEOUT_MS);

  afterAll(() => teardown(() => app?.close()), TEARDOWN_TIMEOUT_MS);

  it('protects the seed endpoints with API_PROTECT_SEED', async () => {
    const response = await http().get('/solo/ping').expect(401);
    expect(response.headers['www-authenticate']).toBe(
      'Bearer realm="celeriac"',
    );
    await withKey(KEY, '/solo/ping').expect(200);
  });

  it('answers a 429 problem with Retry-After once a key is over the limit', async () => {
    // The seed check above spent one of KEY's requests.
    for (let sent = 1; sent < LIMIT; sent += 1) {
      await withKey(KEY).expect(200);
    }
    const response = await withKey(KEY).expect(429);
    expect(response.headers['content-type']).toMatch(
      /^application\/problem\+json/,
    );
    expect(response.body).toMatchObject({
      status: 429,
      title: 'Too Many Requests',
      code: 'RATE_LIMITED',
    });
    const retryAfter = Number(response.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(response.headers['x-request-id']).toBeDefined();
  });

  it('counts each key on its own', async () => {
    await withKey(OTHER_KEY).expect(200);
  });

  it('never limits health', async () => {
    for (let sent = 0; sent < LIMIT + 2; sent += 1) {
      await http().get('/health/live').expect(200);
    }
  });

  it('counts made-up keys against the IP, so they cannot dodge the limit', async () => {
    // The unauthenticated /solo/ping above spent one of this IP's requests.
    for (let sent = 1; sent < LIMIT; sent += 1) {
      await withKey(`made-up-${sent}`).expect(403);
    }
    await withKey('made-up-last').expect(429);
    await http().get('/v1/ping').expect(429);
  });
});
