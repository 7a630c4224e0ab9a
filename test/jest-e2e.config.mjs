// End-to-end suites: the real apps against real RabbitMQ and Redis.
import { base } from '../jest.config.mjs';

export default {
  ...base,
  rootDir: '..',
  roots: ['<rootDir>/test'],
  testRegex: '.*\\.e2e-spec\\.ts$',
  globalSetup: '<rootDir>/test/utils/e2e-setup.mjs',
  setupFiles: [
    ...base.setupFiles,
    '<rootDir>/test/utils/isolate-jest-worker.mjs',
  ],
  // Generous: some tests start several built apps as processes
  // (worker-process.ts), which takes long on a busy machine.
  testTimeout: 120000,
  // Both cores: a suite mostly waits on its apps, brokers and tasks, and each
  // jest worker has a vhost and Redis database of its own (test/utils/README.md).
  maxWorkers: 2,
};
