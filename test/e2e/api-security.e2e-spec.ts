import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { useEnvironment } from '../utils/boot-apps';
import { bootSecuredApp } from '../utils/security-app';
import {
  BOOT_TIMEOUT_MS,
  TEARDOWN_TIMEOUT_MS,
  teardown,
} from '../utils/teardown';

const KEY = 'e2e-key-0123456789abcdef';
useEnvironment({
  API_KEYS: `${KEY},other-key-fedcba9876543210`,
  API_PROTECT_SEED: 'false',
});

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const PROBLEM = /^application\/problem\+json/;

describe('the api security layer (keys, request ids, bodies)', () => {
  let app: INestApplication;
  const http = () => request(app.getHttpServer());

  beforeAll(async () => {
    app = await bootSecuredApp();
  }, BOOT_TIMEOUT_MS);

  afterAll(() => teardown(() => app?.close()), TEARDOWN_TIMEOUT_MS);

  describe('API keys on /v1', () => {
    it('answers no key with a 401 problem and a Bearer challenge', async () => {
      const response = await http().get('/v1/ping').expect(401);
      expect(response.headers['content-type']).toMatch(PROBLEM);
      expect(response.headers['www-authenticate']).toBe(
        'Bearer realm="celeriac"',
      );
      expect(response.body).toMatchObject({
        status: 401,
        title: 'Unauthorized',
        code: 'UNAUTHORIZED',
        instance: '/v1/ping',
      });
    });

    it('answers a malformed Authorization header with a 401', async () => {
      const response = await http()
        .get('/v1/ping')
        .set('Authorization', `Basic ${KEY}`)
        .expect(401);
      expect(response.headers['www-authenticate']).toContain(
        'error="invalid_request"',
      );
      expect(response.body.code).toBe('UNAUTHORIZED');
    });

    it('answers an unknown key with a 403 problem', async () => {
      const response = await http()
        .get('/v1/ping')
        .set('Authorization', `Bearer ${KEY}x`)
        .expect(403);
      expect(response.headers['content-type']).toMatch(PROBLEM);
      expect(response.body).toMatchObject({ status: 403, code: 'FORBIDDEN' });
    });

    it('lets a known key through, either of them, any scheme case', async () => {
      await http()
        .get('/v1/ping')
        .set('Authorization', `Bearer ${KEY}`)
        .expect(200, { pong: 'v1' });
      await http()
        .get('/v1/ping')
        .set('Authorization', 'bearer other-key-fedcba9876543210')
        .expect(200);
    });

    it('judges the route the router matched, not the spelling of the URL', async () => {
      await http().get('/V1/PING').expect(401);
    });
  });

  describe('open routes', () => {
    it('leaves the seed endpoints open without API_PROTECT_SEED', async () => {
      await http().get('/solo/ping').expect(200, { pong: 'solo' });
    });

    it('leaves health open', async () => {
      await http().get('/health/live').expect(200);
    });

    it('answers an unknown route with a 404 problem', async () => {
      const response = await http().get('/nowhere').expect(404);
      expect(response.headers['content-type']).toMatch(PROBLEM);
      expect(response.body.code).toBe('NOT_FOUND');
    });
  });

  describe('X-Request-Id', () => {
    it('echoes a valid id the client sent', async () => {
      const response = await http()
        .get('/solo/ping')
        .set('X-Request-Id', 'client-id-42')
        .expect(200);
      expect(response.headers['x-request-id']).toBe('client-id-42');
    });

    it('generates one when none is sent', async () => {
      const response = await http().get('/solo/ping').expect(200);
      expect(response.headers['x-request-id']).toMatch(UUID);
    });

    it.each([['x'.repeat(129)], ['tab\tinside'], ['ünïcode']])(
      'replaces the hostile id %j',
      async (hostile) => {
        const response = await http()
          .get('/solo/ping')
          .set('X-Request-Id', hostile)
          .expect(200);
        expect(response.headers['x-request-id']).toMatch(UUID);
      },
    );

    it('is echoed on errors too', async () => {
      const denied = await http()
        .get('/v1/ping')
        .set('X-Request-Id', 'denied-1')
        .expect(401);
      expect(denied.headers['x-request-id']).toBe('denied-1');
      const missing = await http()
        .get('/nowhere')
        .set('X-Request-Id', 'missing-1')
        .expect(404);
      expect(missing.headers['x-request-id']).toBe('missing-1');
      const broken = await http()
        .post('/v1/echo')
        .set('X-Request-Id', 'broken-1')
        .set('Content-Type', 'application/json')
        .send('{')
        .expect(400);
      expect(broken.headers['x-request-id']).toBe('broken-1');
    });
  });

  describe('request bodies', () => {
    const post = () =>
      http()
        .post('/v1/echo')
        .set('Authorization', `Bearer ${KEY}`)
        .set('Content-Type', 'application/json');

    it('accepts a JSON body under the limit', async () => {
      const response = await post().send({ data: 'x'.repeat(1000) });
      expect(response.status).toBe(200);
      expect(response.body.bytes).toBe(1011);
    });

    it('answers a 2 MB JSON body with a 413 problem', async () => {
      const response = await post().send({ data: 'x'.repeat(2 * 1024 * 1024) });
      expect(response.status).toBe(413);
      expect(response.headers['content-type']).toMatch(PROBLEM);
      expect(response.body).toMatchObject({
        status: 413,
        title: 'Payload Too Large',
        code: 'PAYLOAD_TOO_LARGE',
      });
    });

    it('answers broken JSON with a 400 problem that does not echo it', async () => {
      const response = await post().send('{"a": s3cret');
      expect(response.status).toBe(400);
      expect(response.headers['content-type']).toMatch(PROBLEM);
      expect(response.body).toMatchObject({
        status: 400,
        code: 'MALFORMED_JSON',
      });
      expect(response.text).not.toContain('s3cret');
    });
  });
});
