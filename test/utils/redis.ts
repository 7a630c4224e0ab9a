import { testEnvironment } from './test-environment';

/** This jest worker's database on the shared Redis (test/utils/README.md). */
export const TEST_REDIS_DB = Number(testEnvironment('TEST_REDIS_DB'));

/** The port of this checkout's test Redis (6379 unless CELERIAC_TEST_REDIS_PORT says). */
export const TEST_REDIS_PORT = Number(testEnvironment('TEST_REDIS_PORT'));

/** The result backend URL the apps a suite boots use by default. */
export const TEST_REDIS_URL = `redis://127.0.0.1:${TEST_REDIS_PORT}/${TEST_REDIS_DB}`;

/** Another database (9-14, for suites that want one to themselves) on the test Redis. */
export function testRedisUrl(db: number): string {
  return `redis://127.0.0.1:${TEST_REDIS_PORT}/${db}`;
}

/** ioredis / BullMQ connection options for {@link TEST_REDIS_URL}. */
export const TEST_REDIS_CONNECTION = {
  host: '127.0.0.1',
  port: TEST_REDIS_PORT,
  db: TEST_REDIS_DB,
};
