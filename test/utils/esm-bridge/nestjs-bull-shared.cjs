// See README.md.
module.exports = require('./bridged.cjs')('@nestjs/bull-shared');
