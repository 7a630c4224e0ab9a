// The built api as a child process on its own port, for the HTTP phases.
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const ROOT = resolve(import.meta.dirname, '..', '..');
const API_MAIN = resolve(ROOT, 'dist/apps/api/apps/api/src/main.js');

/**
 * Starts dist's api (or `main`, another build inside the repository, with
 * `nodeArgs` such as `--cpu-prof`) with `env` over the caller's environment
 * (without API_KEYS: the bench sends no token) and no rate limit; resolves
 * once /health/ready answers. `pid` is its process, `stop()` ends it. Its
 * stdout (the logs) is dropped, or read through a pipe with `readStdout`.
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
  const child = spawn(process.execPath, [...nodeArgs, resolve(ROOT, main)], {
    cwd: ROOT,
    env: {
      ...withoutApiKeys(process.env),
      BROKER_URL: brokerUrl,
      RESULT_BACKEND_URL: redisUrl,
      API_PORT: String(port),
      API_RATE_LIMIT: '0',
      RESULT_EXPIRES: '300',
      LOG_LEVEL: 'warn',
      ...env,
    },
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
  return { url, pid: child.pid, stop };
}

// The api would demand a bearer token if the caller's environment set keys.
function withoutApiKeys(environment) {
  const { API_KEYS: _keys, ...rest } = environment;
  return rest;
}
