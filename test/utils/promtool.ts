import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** Where Debian's prometheus package is unpacked when the machine has none. */
const CACHE = resolve(process.cwd(), 'node_modules/.cache/celeriac-prometheus');

/** A binary of Debian's prometheus package. */
export type PrometheusBinary = 'promtool' | 'prometheus';

/** Its path, or why there is none. */
export type BinaryLookup = { path: string } | { missing: string };

function works(path: string): boolean {
  return spawnSync(path, ['--version'], { stdio: 'ignore' }).status === 0;
}

function unpackDebianPackage(): string | undefined {
  mkdirSync(CACHE, { recursive: true });
  const download = spawnSync('apt-get', ['download', 'prometheus'], {
    cwd: CACHE,
    encoding: 'utf8',
    timeout: 120_000,
  });
  const deb = readdirSync(CACHE).find((file) =>
    /^prometheus_.*\.deb$/.test(file),
  );
  if (!deb) {
    return `"apt-get download prometheus" failed (${
      download.error?.message ?? download.stderr?.trim().split('\n').at(-1)
    })`;
  }
  const unpack = spawnSync('dpkg-deb', ['-x', join(CACHE, deb), CACHE], {
    encoding: 'utf8',
  });
  return unpack.status === 0
    ? undefined
    : `could not unpack ${deb}: ${unpack.stderr ?? unpack.error?.message}`;
}

/**
 * Finds `promtool` (Prometheus' rule and config checker) or the
 * `prometheus` server: on the PATH, or unpacked earlier into
 * node_modules/.cache. Otherwise fetches Debian's `prometheus` package with
 * `apt-get download` (about 20 MB) and unpacks its files with
 * `dpkg-deb -x`: nothing is installed and no service starts. Synchronous,
 * so a spec can choose `it` or `it.skip` when it is defined.
 */
export function findPrometheusBinary(name: PrometheusBinary): BinaryLookup {
  const cached = join(CACHE, 'usr/bin', name);
  const onPath = spawnSync('sh', ['-c', `command -v ${name}`], {
    encoding: 'utf8',
  }).stdout.trim();
  if (onPath && works(onPath)) {
    return { path: onPath };
  }
  if (existsSync(cached) && works(cached)) {
    return { path: cached };
  }
  const failure = unpackDebianPackage();
  if (failure === undefined && works(cached)) {
    return { path: cached };
  }
  return {
    missing: `${name} is not on the PATH and ${failure ?? `${cached} does not run`}: install Debian's prometheus package to run these checks`,
  };
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

/**
 * promtool and prometheus for a spec, each undefined (with a loud warning
 * saying why, and the checks that need it skipped) when it cannot be had.
 */
export function prometheusTools(): { promtool?: string; prometheus?: string } {
  const tools: { promtool?: string; prometheus?: string } = {};
  for (const name of ['promtool', 'prometheus'] as const) {
    const lookup = findPrometheusBinary(name);
    if ('path' in lookup) {
      tools[name] = lookup.path;
    } else {
      console.warn(`\n*** PROMETHEUS CHECKS SKIPPED: ${lookup.missing} ***\n`);
    }
  }
  return tools;
}
