// The compose test (test/deploy/compose.stack-spec.ts): the repository's
// Dockerfile and docker-compose.yaml in Docker, apart from npm test's suites.
import { base } from '../jest.config.mjs';

export default {
  ...base,
  rootDir: '..',
  roots: ['<rootDir>/test/deploy'],
  testRegex: '.*\\.stack-spec\\.ts$',
  // Nothing of the shared RabbitMQ / Redis is used.
  globalSetup: undefined,
  testTimeout: 300000,
  maxWorkers: 1,
};
