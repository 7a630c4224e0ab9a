/**
 * A variable test/utils/isolate-jest-worker.mjs sets for each e2e and
 * interop suite; a clear failure when a suite runs without it.
 */
export function testEnvironment(
  name: 'TEST_VHOST' | 'TEST_REDIS_DB' | 'TEST_REDIS_PORT',
): string {
  const value = process.env[name];
  if (!value) {
    throw new Error(
      `${name} is not set: run e2e and interop suites through their jest configs (npm run test:e2e / test:interop), whose setupFiles set it.`,
    );
  }
  return value;
}
