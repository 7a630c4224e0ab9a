// Jest globalSetup of the e2e suites: the real services, a fresh build of
// the worker and beat, which some suites run as real processes (signals, kill -9),
// and Debian's Chromium for the Swagger UI browser test. When Chromium is
// missing, install it with apt (CI runs as root); fail with one sentence
// when that is not possible. Nothing is downloaded by Playwright.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import ensureServices from './ensure-services.mjs';

const CHROMIUM = '/usr/bin/chromium';

function aptInstallChromium() {
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const run = (args) =>
    spawnSync('apt-get', args, { env, stdio: 'inherit' }).status === 0;
  return run(['update']) && run(['install', '-y', 'chromium']);
}

function ensureChromium() {
  if (existsSync(CHROMIUM)) {
    return;
  }
  const isRoot = process.getuid?.() === 0;
  const hasApt = spawnSync('sh', ['-c', 'command -v apt-get']).status === 0;
  if (isRoot && hasApt) {
    aptInstallChromium();
  }
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      isRoot && hasApt
        ? `${CHROMIUM} is still missing after apt-get install chromium: install Debian's chromium package, then run npm run test:e2e again.`
        : `${CHROMIUM} is missing, and installing Debian's chromium package needs root and apt-get: install it, then run npm run test:e2e again.`,
    );
  }
}

export default async function e2eSetup() {
  await ensureServices();
  // Suites run these as real processes (signals, kill -9, captured logs).
  execFileSync('npx', ['nest', 'build', 'api', 'worker', 'beat', 'monitor'], {
    stdio: 'inherit',
  });
  ensureChromium();
}
