// Jest globalSetup of the e2e suites: the real services, a fresh build of
// the worker and beat, which some suites run as real processes (signals, kill -9),
// and Debian's Chromium for the Swagger UI browser test. When Chromium is
// missing, install it with apt (CI runs as root); fail with one sentence
// when that is not possible. Nothing is downloaded by Playwright.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import ensureServices from './ensure-services.mjs';
import { ensureTestVhosts } from './test-services.mjs';

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

const APPS = ['api', 'worker', 'beat', 'monitor'];
const SOURCES = ['apps', 'libs'];
const BUILD_FILES = ['package-lock.json', 'tsconfig.json', 'nest-cli.json'];

/** The newest modification time of the files below `dir`, in ms. */
function newestBelow(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(
      newest,
      entry.isDirectory() ? newestBelow(path) : statSync(path).mtimeMs,
    );
  }
  return newest;
}

/**
 * Whether every app's built main.js is newer than every source file: then
 * the build `npm run build` (or an earlier run) made is the code under test,
 * and building again would only cost a minute.
 */
function buildIsFresh() {
  const mains = APPS.map((app) => `dist/apps/${app}/apps/${app}/src/main.js`);
  if (!mains.every((main) => existsSync(main))) {
    return false;
  }
  const built = Math.min(...mains.map((main) => statSync(main).mtimeMs));
  const sources = Math.max(
    ...SOURCES.map(newestBelow),
    ...BUILD_FILES.map((file) => statSync(file).mtimeMs),
  );
  return built > sources;
}

/**
 * Whether dist/monitor-dashboard (which monitor suites serve) is newer than
 * the dashboard's sources: built once here, never by a suite while another
 * one serves it.
 */
function dashboardIsFresh() {
  const built = 'dist/monitor-dashboard/assets/dashboard.js';
  return (
    existsSync(built) &&
    statSync(built).mtimeMs > newestBelow('apps/monitor/dashboard')
  );
}

export default async function e2eSetup(globalConfig) {
  await ensureServices();
  ensureTestVhosts(globalConfig.maxWorkers);
  // Suites run these as real processes (signals, kill -9, captured logs).
  if (buildIsFresh()) {
    console.log(
      'e2e setup: dist/ is newer than every source file; not rebuilding the apps',
    );
  } else {
    execFileSync('npx', ['nest', 'build', ...APPS], { stdio: 'inherit' });
  }
  if (!dashboardIsFresh()) {
    execFileSync(process.execPath, ['scripts/build-dashboard.mjs'], {
      stdio: 'inherit',
    });
  }
  ensureChromium();
}
