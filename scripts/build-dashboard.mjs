// Builds the monitor's dashboard into dist/monitor-dashboard: index.html and
// assets/dashboard.{js,css}, everything bundled (chart.js included), nothing
// from a CDN. Type-checks first (esbuild only strips types), and exits non-zero
// on any type or bundling error.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const source = join(root, 'apps/monitor/dashboard');
const out = join(root, 'dist/monitor-dashboard');

function typecheck() {
  try {
    execFileSync(
      process.execPath,
      [join(root, 'node_modules/typescript/bin/tsc'), '--noEmit', '-p', source],
      { stdio: 'inherit', cwd: root },
    );
  } catch {
    console.error('build-dashboard: type errors (above); nothing written.');
    process.exit(1);
  }
}

async function bundle() {
  rmSync(out, { recursive: true, force: true });
  mkdirSync(join(out, 'assets'), { recursive: true });
  const common = {
    bundle: true,
    minify: true,
    sourcemap: true,
    target: ['es2022'],
    logLevel: 'warning',
    legalComments: 'linked',
  };
  await Promise.all([
    build({
      ...common,
      entryPoints: [join(source, 'src/main.ts')],
      outfile: join(out, 'assets/dashboard.js'),
      format: 'esm',
      platform: 'browser',
      tsconfig: join(source, 'tsconfig.json'),
    }),
    build({
      ...common,
      entryPoints: [join(source, 'styles.css')],
      outfile: join(out, 'assets/dashboard.css'),
    }),
  ]);
  copyFileSync(join(source, 'index.html'), join(out, 'index.html'));
}

typecheck();
try {
  await bundle();
} catch (error) {
  // esbuild has printed each error with its location already.
  console.error(`build-dashboard: bundling failed: ${error.message}`);
  process.exit(1);
}
console.log(`build-dashboard: wrote ${out}`);
