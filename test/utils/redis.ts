import { testEnvironment } from './test-environment';

/** This jest worker's database on the shared Redis (test/utils/README.md). */
export const TEST_REDIS_DB = Number(testEnvironment('TEST_REDIS_DB'));

/** The result backend URL the apps a suite boots use by default. */
export const TEST_REDIS_URL = `redis://127.0.0.1:6379/${TEST_REDIS_DB}`;

/** ioredis / BullMQ connection options for {@link TEST_REDIS_URL}. */
export const TEST_REDIS_CONNECTION = {
  host: '127.0.0.1',
  port: 6379,
  db: TEST_REDIS_DB,
};
