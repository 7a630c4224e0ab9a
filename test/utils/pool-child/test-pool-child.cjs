// The pool child of a worker an e2e suite boots in-process with WORKER_POOL
// processes / threads (boot-apps.ts, `bootWorker({ childModules })`): the
// built worker's pool child, plus the suite's test-only task modules, which
// are TypeScript and transpiled here as ts-jest transpiles them. Their
// `@celeriac/*` imports resolve to the worker's build, so they register
// with the same module instances the child's transport reads.
const Module = require('node:module');
const { createHash } = require('node:crypto');
const {
  mkdirSync,
  readFileSync,
  renameSync,
  writeFileSync,
} = require('node:fs');
const { tmpdir } = require('node:os');
const { join, resolve } = require('node:path');

const root = resolve(__dirname, '..', '..', '..');
const build = resolve(root, 'dist', 'apps', 'worker');
// Transpiled once per file version: loading TypeScript would add about half
// a second of CPU and 40 MB to every child a suite starts.
const cacheDir = join(tmpdir(), 'celeriac-test-pool-child');

const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  const lib = /^@celeriac\/([a-z-]+)$/.exec(request);
  const target = lib
    ? resolve(build, 'libs', lib[1], 'src', 'index.js')
    : request;
  return resolveFilename.call(this, target, ...rest);
};

function transpile(source, filename) {
  const ts = require('typescript');
  return ts.transpileModule(source, {
    fileName: filename,
    compilerOptions: {
      module: ts.ModuleKind.CommonJS,
      target: ts.ScriptTarget.ES2023,
      experimentalDecorators: true,
      emitDecoratorMetadata: true,
      esModuleInterop: true,
    },
  }).outputText;
}

require.extensions['.ts'] = (module, filename) => {
  const source = readFileSync(filename, 'utf8');
  const key = createHash('sha256')
    .update(filename)
    .update(source)
    .digest('hex');
  const cached = join(cacheDir, `${key}.js`);
  let output;
  try {
    output = readFileSync(cached, 'utf8');
  } catch {
    output = transpile(source, filename);
    mkdirSync(cacheDir, { recursive: true });
    // Children start side by side: write aside, then rename into place.
    const partial = `${cached}.${process.pid}.${Date.now()}`;
    writeFileSync(partial, output);
    renameSync(partial, cached);
  }
  module._compile(output, filename);
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
