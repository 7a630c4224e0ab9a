// The built api as a child process on its own port, for the HTTP phases.
import { spawn } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const ROOT = resolve(import.meta.dirname, '..', '..');
const API_MAIN = resolve(ROOT, 'dist/apps/api/apps/api/src/main.js');

/**
 * How many api processes API_PROCESSES in `env` asks for (the api's own
 * rule: unset is 1, `auto` one per CPU, at most 8).
 */
export function wantedApiProcesses(env) {
  const value = (env.API_PROCESSES ?? '').trim().toLowerCase();
  if (value === '') return 1;
  return value === 'auto'
    ? Math.max(1, Math.min(availableParallelism(), 8))
    : Number(value);
}

/**
 * Resolves once all `processes` workers of a clustered api listen (its
 * /metrics gauge `celeriac_api_processes` says so), so no worker still
 * booting spends CPU in a measurement. A single process (or a build from
 * before API_PROCESSES) has no such gauge: nothing to wait for.
 */
export async function waitForApiProcesses(url, processes, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const text = await fetch(`${url}/metrics`).then(
      (response) => (response.ok ? response.text() : ''),
      () => '',
    );
    const line = /^celeriac_api_processes (\d+)/m.exec(text);
    if (processes <= 1 || (text && !line) || Number(line?.[1]) >= processes) {
      return;
    }
    if (Date.now() > deadline) {
      throw new Error(`the api's ${processes} processes did not all listen`);
    }
    await sleep(200);
  }
}

/**
 * Starts dist's api (or `main`, another build inside the repository, with
 * `nodeArgs` such as `--cpu-prof`) with `env` over the caller's environment
 * (without API_KEYS: the bench sends no token) and no rate limit; resolves
 * once /health/ready answers and every process API_PROCESSES asks for
 * listens. `pid` is its process (the cluster primary, whose process tree
 * holds the workers), `stop()` ends it. Its stdout (the
 * logs) is dropped, or read through a pipe with `readStdout`.
 */
export async function startApi({
  brokerUrl,
  redisUrl,
  port,
  env = {},
  main = API_MAIN,
  nodeArgs = [],
  readStdout = false,
}) {
  const childEnv = {
    ...withoutApiKeys(process.env),
    BROKER_URL: brokerUrl,
    RESULT_BACKEND_URL: redisUrl,
    API_PORT: String(port),
    API_RATE_LIMIT: '0',
    RESULT_EXPIRES: '300',
    LOG_LEVEL: 'warn',
    ...env,
  };
  const child = spawn(process.execPath, [...nodeArgs, resolve(ROOT, main)], {
    cwd: ROOT,
    env: childEnv,
    stdio: ['ignore', readStdout ? 'pipe' : 'ignore', 'pipe'],
  });
  // Read and dropped, as a terminal or a log shipper would take the lines.
  child.stdout?.resume();
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr = (stderr + chunk).slice(-4000)));
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    child.kill('SIGTERM');
    await new Promise((done) =>
      child.exitCode !== null ? done() : child.once('exit', done),
    );
  };
  const deadline = Date.now() + 30_000;
  for (;;) {
    const up = await fetch(`${url}/health/ready`).then(
      (r) => r.ok,
      () => false,
    );
    if (up) break;
    if (Date.now() > deadline || child.exitCode !== null) {
      await stop();
      throw new Error(`api did not start: ${stderr}`);
    }
    await sleep(100);
  }
  await waitForApiProcesses(url, wantedApiProcesses(childEnv));
  return { url, pid: child.pid, stop };
}

// The api would demand a bearer token if the caller's environment set keys.
function withoutApiKeys(environment) {
  const { API_KEYS: _keys, ...rest } = environment;
  return rest;
}
