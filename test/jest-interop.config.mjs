// Interop suites: celeriac against the real Python Celery, both ways, on the
// real RabbitMQ and Redis.
import { base } from '../jest.config.mjs';

export default {
  ...base,
  rootDir: '..',
  roots: ['<rootDir>/test/interop'],
  testRegex: '.*\\.interop-spec\\.ts$',
  setupFiles: [
    ...base.setupFiles,
    '<rootDir>/test/utils/isolate-jest-worker.mjs',
  ],
  // Generous: a test may run several Python CLIs (seconds each on a busy machine).
  testTimeout: 120000,
  // As the e2e suites: a vhost and Redis database per jest worker.
  maxWorkers: 2,
  globalSetup: '<rootDir>/test/interop/ensure-python-celery.mjs',
};
