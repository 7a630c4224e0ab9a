import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** Where Debian's promtool is unpacked when the machine has none. */
const CACHE = resolve(process.cwd(), 'node_modules/.cache/celeriac-promtool');
const CACHED = join(CACHE, 'usr/bin/promtool');

/** promtool, or why there is none. */
export type PromtoolLookup = { path: string } | { missing: string };

function works(path: string): boolean {
  return spawnSync(path, ['--version'], { stdio: 'ignore' }).status === 0;
}

/**
 * Finds `promtool` (Prometheus' rule and config checker): on the PATH, or
 * unpacked earlier into node_modules/.cache. Otherwise fetches Debian's
 * `prometheus` package with `apt-get download` (about 20 MB) and unpacks
 * only its files with `dpkg-deb -x`: nothing is installed and no
 * Prometheus server starts. Synchronous, so a spec can choose `it` or
 * `it.skip` when it is defined.
 */
export function findPromtool(): PromtoolLookup {
  const onPath = spawnSync('sh', ['-c', 'command -v promtool'], {
    encoding: 'utf8',
  }).stdout.trim();
  if (onPath && works(onPath)) {
    return { path: onPath };
  }
  if (existsSync(CACHED) && works(CACHED)) {
    return { path: CACHED };
  }
  mkdirSync(CACHE, { recursive: true });
  const download = spawnSync('apt-get', ['download', 'prometheus'], {
    cwd: CACHE,
    encoding: 'utf8',
    timeout: 120_000,
  });
  const deb = existsSync(CACHE)
    ? readdirSync(CACHE).find((file) => /^prometheus_.*\.deb$/.test(file))
    : undefined;
  if (!deb) {
    return {
      missing: `promtool is not on the PATH and "apt-get download prometheus" failed (${
        download.error?.message ?? download.stderr?.trim().split('\n').at(-1)
      }): install Debian's prometheus package to run these checks`,
    };
  }
  const unpack = spawnSync('dpkg-deb', ['-x', join(CACHE, deb), CACHE], {
    encoding: 'utf8',
  });
  if (unpack.status !== 0 || !works(CACHED)) {
    return {
      missing: `could not unpack promtool from ${deb}: ${unpack.stderr ?? unpack.error?.message}`,
    };
  }
  return { path: CACHED };
}

/** Runs promtool; its exit status and output, for the assertion's message. */
export function runPromtool(
  promtool: string,
  args: string[],
  options: { cwd?: string; input?: string } = {},
): { status: number | null; output: string } {
  const run = spawnSync(promtool, args, {
    cwd: options.cwd,
    input: options.input,
    encoding: 'utf8',
    timeout: 60_000,
  });
  return {
    status: run.status,
    output: `${run.stdout ?? ''}${run.stderr ?? ''}`,
  };
}
