// A Docker engine for the compose test, the way Debian ships one: docker.io
// (dockerd 20.10, the CLI at /usr/bin/docker) and docker-compose v1.29. As
// root, missing packages are installed and a stopped engine is started (in
// the background, logging to DOCKERD_LOG); it is left running for the next
// run. Synchronous on purpose: the spec decides at load time whether its
// tests run, and says why not when they cannot.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, openSync } from 'node:fs';

/** Debian's CLI, not whatever `docker` comes first on PATH. */
export const DOCKER = '/usr/bin/docker';
export const COMPOSE = '/usr/bin/docker-compose';
const DOCKERD = '/usr/sbin/dockerd';
const DEBOOTSTRAP = '/usr/sbin/debootstrap';
const PACKAGES = ['docker.io', 'docker-compose', 'debootstrap'];
export const DOCKERD_LOG = '/var/log/celeriac-dockerd.log';
const ENGINE_START_TIMEOUT_MS = 90_000;

export type Engine = { ok: true } | { ok: false; reason: string };

export const isRoot = (): boolean => process.getuid?.() === 0;

/** Root can install and start an engine, and CI runs as root: there a missing engine is a failure, not a skip. */
export const engineRequired = (): boolean =>
  isRoot() || process.env.CI === 'true';

function run(command: string, args: string[], timeoutMs: number) {
  return spawnSync(command, args, {
    encoding: 'utf8',
    timeout: timeoutMs,
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
}

const tail = (text: string | null | undefined): string =>
  (text ?? '').trim().split('\n').slice(-3).join(' / ');

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function engineAnswers(): boolean {
  return (
    run(DOCKER, ['info', '--format', '{{.ServerVersion}}'], 20_000).status === 0
  );
}

function installPackages(): string | undefined {
  const update = run('apt-get', ['update'], 300_000);
  if (update.status !== 0) {
    return `apt-get update failed: ${tail(update.stderr)}`;
  }
  const install = run(
    'apt-get',
    ['install', '-y', '-o', 'DPkg::Lock::Timeout=300', ...PACKAGES],
    900_000,
  );
  if (install.status !== 0) {
    return `apt-get install ${PACKAGES.join(' ')} failed: ${tail(install.stderr)}`;
  }
  return undefined;
}

/** A Docker engine that answers, or why there is none. */
export function ensureDockerEngine(): Engine {
  const missing = [DOCKER, COMPOSE, DOCKERD, DEBOOTSTRAP].filter(
    (path) => !existsSync(path),
  );
  if (missing.length > 0) {
    if (!isRoot()) {
      return {
        ok: false,
        reason: `${missing.join(', ')} missing, and only root may apt-get install ${PACKAGES.join(' ')}`,
      };
    }
    const failed = installPackages();
    if (failed) {
      return { ok: false, reason: failed };
    }
  }
  if (engineAnswers()) {
    return { ok: true };
  }
  if (!isRoot()) {
    return {
      ok: false,
      reason: 'no Docker engine answers, and only root may start dockerd',
    };
  }
  const log = openSync(DOCKERD_LOG, 'a');
  const dockerd = spawn(DOCKERD, [], {
    detached: true,
    stdio: ['ignore', log, log],
  });
  dockerd.unref();
  const deadline = Date.now() + ENGINE_START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (engineAnswers()) {
      return { ok: true };
    }
    sleepSync(1000);
  }
  return {
    ok: false,
    reason: `dockerd did not answer within ${ENGINE_START_TIMEOUT_MS / 1000} s (see ${DOCKERD_LOG})`,
  };
}
