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

function bridgeFor(request, options) {
  const fromPackage = options.basedir.includes(`${sep}node_modules${sep}`);
  const isRequire = options.conditions?.includes('require') ?? false;
  return fromPackage && isRequire ? BRIDGED[request] : undefined;
}

module.exports = {
  sync: (request, options) =>
    bridgeFor(request, options) ?? options.defaultResolver(request, options),
  async: (request, options) =>
    Promise.resolve(bridgeFor(request, options)).then(
      (bridge) => bridge ?? options.defaultAsyncResolver(request, options),
    ),
};
