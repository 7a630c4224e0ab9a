// The pool child of a worker an e2e suite boots in-process with WORKER_POOL
// processes / threads (boot-apps.ts, `bootWorker({ childModules })`): the
// built worker's pool child, plus the suite's test-only task modules, which
// are TypeScript and transpiled here as ts-jest transpiles them. Their
// `@celeriac/*` imports resolve to the worker's build, so they register
// with the same module instances the child's transport reads.
const Module = require('node:module');
const { readFileSync } = require('node:fs');
const { resolve } = require('node:path');
const ts = require('typescript');

const root = resolve(__dirname, '..', '..', '..');
const build = resolve(root, 'dist', 'apps', 'worker');

const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  const lib = /^@celeriac\/([a-z-]+)$/.exec(request);
  const target = lib
    ? resolve(build, 'libs', lib[1], 'src', 'index.js')
    : request;
  return resolveFilename.call(this, target, ...rest);
};

require.extensions['.ts'] = (module, filename) => {
  const { outputText } = ts.transpileModule(readFileSync(filename, 'utf8'), {
    fileName: filename,
    compilerOptions: {
      module: ts.ModuleKind.CommonJS,
      target: ts.ScriptTarget.ES2023,
      experimentalDecorators: true,
      emitDecoratorMetadata: true,
      esModuleInterop: true,
    },
  });
  module._compile(outputText, filename);
};

/** `[{ file, name }]`: each test module's file and its exported class. */
const childModules = JSON.parse(
  process.env.CELERIAC_TEST_CHILD_MODULES ?? '[]',
).map(({ file, name }) => require(resolve(root, file))[name]);
const { bootPoolChild } = require(
  resolve(build, 'apps', 'worker', 'src', 'pool-child.bootstrap.js'),
);
const { WorkerTasksModule } = require(
  resolve(build, 'apps', 'worker', 'src', 'worker-tasks.module.js'),
);

bootPoolChild([WorkerTasksModule, ...childModules]).catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
