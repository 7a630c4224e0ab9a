// Unit specs beside the code (some talk to the real Redis / RabbitMQ).
// Nest 12 is ESM, so specs run as ESM: see the test scripts' NODE_OPTIONS.
export const base = {
  rootDir: '.',
  moduleFileExtensions: ['js', 'json', 'ts'],
  extensionsToTreatAsEsm: ['.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.spec.json', useESM: true }],
  },
  moduleNameMapper: {
    '^@celeriac/(.*)$': '<rootDir>/libs/$1/src/index.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  testEnvironment: 'node',
  globalSetup: '<rootDir>/test/utils/ensure-services.mjs',
  // @nestjs/throttler is CommonJS requiring ESM-only Nest: see the README there.
  resolver: '<rootDir>/test/utils/esm-bridge/resolver.cjs',
  setupFiles: ['<rootDir>/test/utils/esm-bridge/setup.mjs'],
  clearMocks: true,
  // A suite that fails half-way may leave a socket or timer open; jest must
  // still exit (in CI it would hang until the job's time limit), and say
  // what stayed open when it did not exit by itself within 5 s.
  forceExit: true,
  openHandlesTimeout: 5000,
};

export default {
  ...base,
  // Jest's default on two cores is one worker; unit specs are independent
  // (their few Redis and RabbitMQ names are their own), so use both.
  maxWorkers: 2,
  // Jest's ESM module registries are not freed between suites: a worker grew
  // to 2 GB and spent its time in GC (unit specs 277 s in CI). A fresh worker
  // past 700 MB halves that (135 s, same 1394 specs).
  workerIdleMemoryLimit: '700MB',
  roots: ['<rootDir>/apps', '<rootDir>/libs', '<rootDir>/test/utils'],
  testRegex: '.*\\.spec\\.ts$',
};
