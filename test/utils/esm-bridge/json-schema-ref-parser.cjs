// See README.md.
module.exports = require('./bridged.cjs')(
  '@apidevtools/json-schema-ref-parser',
);
