// See README.md: the ESM Nest instance that CommonJS packages get in Jest.
import * as common from '@nestjs/common';
import * as core from '@nestjs/core';
import * as bullShared from '@nestjs/bull-shared';
import * as jsonSchemaRefParser from '@apidevtools/json-schema-ref-parser';

globalThis[Symbol.for('celeriac.esm-bridge')] = {
  '@nestjs/common': common,
  '@nestjs/core': core,
  '@nestjs/bull-shared': bullShared,
  '@apidevtools/json-schema-ref-parser': jsonSchemaRefParser,
};
