// Interop suites: celeriac against the real Python Celery, both ways, on the
// real RabbitMQ and Redis.
import { base } from '../jest.config.mjs';

export default {
  ...base,
  rootDir: '..',
  roots: ['<rootDir>/test/interop'],
  testRegex: '.*\\.interop-spec\\.ts$',
  testTimeout: 60000,
  maxWorkers: 1,
  globalSetup: '<rootDir>/test/interop/ensure-python-celery.mjs',
};
