// See README.md: Jest's resolver, with CommonJS packages' requires of the
// ESM-only Nest packages sent to the bridge.
const { join, sep } = require('node:path');

const BRIDGED = {
  '@nestjs/common': join(__dirname, 'nestjs-common.cjs'),
  '@nestjs/core': join(__dirname, 'nestjs-core.cjs'),
  '@nestjs/bull-shared': join(__dirname, 'nestjs-bull-shared.cjs'),
  '@apidevtools/json-schema-ref-parser': join(
    __dirname,
    'json-schema-ref-parser.cjs',
  ),
};

// Only @fastify/static's: Express requires an older, CommonJS one.
const FASTIFY_STATIC = `${sep}@fastify${sep}static`;
const CONTENT_DISPOSITION = join(__dirname, 'content-disposition.cjs');

function bridgeFor(request, options) {
  const fromPackage = options.basedir.includes(`${sep}node_modules${sep}`);
  const isRequire = options.conditions?.includes('require') ?? false;
  if (!fromPackage || !isRequire) {
    return undefined;
  }
  if (request === 'content-disposition') {
    return options.basedir.includes(FASTIFY_STATIC)
      ? CONTENT_DISPOSITION
      : undefined;
  }
  return BRIDGED[request];
}

module.exports = {
  sync: (request, options) =>
    bridgeFor(request, options) ?? options.defaultResolver(request, options),
  async: (request, options) =>
    Promise.resolve(bridgeFor(request, options)).then(
      (bridge) => bridge ?? options.defaultAsyncResolver(request, options),
    ),
};
