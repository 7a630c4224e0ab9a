// See README.md: @fastify/static's own (ESM-only) content-disposition.
module.exports = require('./bridged.cjs')('content-disposition');
