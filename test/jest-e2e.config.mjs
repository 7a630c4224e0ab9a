// End-to-end suites: the real apps against real RabbitMQ and Redis.
import { base } from '../jest.config.mjs';

export default {
  ...base,
  rootDir: '..',
  roots: ['<rootDir>/test'],
  testRegex: '.*\\.e2e-spec\\.ts$',
  globalSetup: '<rootDir>/test/utils/e2e-setup.mjs',
  testTimeout: 30000,
  maxWorkers: 1,
};
