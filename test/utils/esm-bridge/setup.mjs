// See README.md: the ESM Nest instance that CommonJS packages get in Jest.
import * as common from '@nestjs/common';
import * as core from '@nestjs/core';
import * as bullShared from '@nestjs/bull-shared';
import * as jsonSchemaRefParser from '@apidevtools/json-schema-ref-parser';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

// @fastify/static's content-disposition, found as Node would find it from
// there (npm nests it: Express at the top needs an older one).
function packageEntryFrom(fromPackage, name) {
  const require = createRequire(import.meta.url);
  let dir = dirname(require.resolve(`${fromPackage}/package.json`));
  for (;;) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) {
      return pathToFileURL(join(candidate, 'dist', 'index.js')).href;
    }
    const parent = dirname(dir);
    if (parent === dir) {
      throw new Error(`esm-bridge: no ${name} from ${fromPackage}`);
    }
    dir = parent;
  }
}

const contentDisposition = await import(
  packageEntryFrom('@fastify/static', 'content-disposition')
);

globalThis[Symbol.for('celeriac.esm-bridge')] = {
  '@nestjs/common': common,
  '@nestjs/core': core,
  '@nestjs/bull-shared': bullShared,
  '@apidevtools/json-schema-ref-parser': jsonSchemaRefParser,
  'content-disposition': contentDisposition,
};
