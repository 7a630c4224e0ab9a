import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

const CHILD_MAIN = 'pool-child.main.js';

/**
 * The built file a pool child runs: beside the worker's own main.js; when
 * the worker is not run from its build (an e2e suite boots it in-process),
 * the build's copy under the working directory.
 */
export function poolChildEntry(): string {
  const main = process.argv[1];
  if (main !== undefined) {
    const beside = join(dirname(main), CHILD_MAIN);
    if (existsSync(beside)) {
      return beside;
    }
  }
  return resolve(process.cwd(), 'dist/apps/worker/apps/worker/src', CHILD_MAIN);
}
