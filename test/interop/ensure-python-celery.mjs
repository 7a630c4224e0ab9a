// Jest globalSetup of the interop suites: RabbitMQ and Redis as for the e2e
// suites, plus Debian's Python with Celery and redis-py. When they are
// missing, install them with apt (CI runs as root); fail with one sentence
// when that is not possible.
import { spawnSync } from 'node:child_process';
import ensureServices from '../utils/ensure-services.mjs';
import { ensureTestVhosts } from '../utils/test-services.mjs';

const PYTHON = '/usr/bin/python3';
const PACKAGES = ['python3-celery', 'python3-redis'];

function canImportCelery() {
  const probe = spawnSync(PYTHON, ['-c', 'import celery, redis'], {
    stdio: 'ignore',
  });
  return probe.status === 0;
}

function aptInstall() {
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const run = (args) =>
    spawnSync('apt-get', args, { env, stdio: 'inherit' }).status === 0;
  return run(['update']) && run(['install', '-y', ...PACKAGES]);
}

export default async function ensurePythonCelery(globalConfig) {
  await ensureServices();
  ensureTestVhosts(globalConfig.maxWorkers);
  if (canImportCelery()) {
    return;
  }
  const isRoot = process.getuid?.() === 0;
  const hasApt = spawnSync('sh', ['-c', 'command -v apt-get']).status === 0;
  if (isRoot && hasApt) {
    aptInstall();
  }
  if (!canImportCelery()) {
    throw new Error(
      isRoot && hasApt
        ? `${PYTHON} still cannot import celery and redis after apt-get install ${PACKAGES.join(' ')}: install them for ${PYTHON}, then run npm run test:interop again.`
        : `${PYTHON} cannot import celery and redis, and installing ${PACKAGES.join(' ')} needs root and apt-get: install them for ${PYTHON}, then run npm run test:interop again.`,
    );
  }
}
