// The default configuration: no rate limit at all (issue 14). Sends more
// requests from one client than the old default (600 a minute) allowed.
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { useEnvironment } from '../utils/boot-apps';
import { bootSecuredApp } from '../utils/security-app';
import {
  BOOT_TIMEOUT_MS,
  TEARDOWN_TIMEOUT_MS,
  teardown,
} from '../utils/teardown';

const OLD_DEFAULT_LIMIT = 600;
const BATCH = 50;

useEnvironment({});
// useEnvironment turns the limit off explicitly; this suite wants the default.
delete process.env.API_RATE_LIMIT;
delete process.env.API_RATE_LIMIT_SEED;

describe('the api rate limit by default', () => {
  let app: INestApplication | undefined;
  const http = () => request(app!.getHttpServer());

  beforeAll(async () => {
    app = await bootSecuredApp();
  }, BOOT_TIMEOUT_MS);

  afterAll(() => teardown(() => app?.close()), TEARDOWN_TIMEOUT_MS);

  it.each(['/v1/ping', '/solo/ping'])(
    'does not limit one client on %s',
    async (path) => {
      const statuses = new Map<number, number>();
      for (let sent = 0; sent <= OLD_DEFAULT_LIMIT; sent += BATCH) {
        const answers = await Promise.all(
          Array.from({ length: BATCH }, () => http().get(path)),
        );
        for (const { status } of answers) {
          statuses.set(status, (statuses.get(status) ?? 0) + 1);
        }
      }
      expect([...statuses.keys()]).toEqual([200]);
      expect(statuses.get(200)).toBeGreaterThan(OLD_DEFAULT_LIMIT);
      const last = await http().get(path).expect(200);
      expect(last.headers['x-ratelimit-limit']).toBeUndefined();
    },
    60_000,
  );
});
