import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';

/** Debian's Python, which has Celery; the `python3` on PATH may not. */
export const PYTHON = '/usr/bin/python3';

/** Where `interop_app.py` and `client.py` live. */
export const PYTHON_DIR = resolve(process.cwd(), 'test', 'interop', 'python');

const execFileAsync = promisify(execFile);

/** What `interop_app.py` reads from the environment. */
export interface PythonEnv {
  INTEROP_QUEUE: string;
  BROKER_URL?: string;
  RESULT_BACKEND_URL?: string;
  TASK_TIME_SCALE?: string;
  [name: string]: string | undefined;
}

/** The environment for a Python child: ours, plus `env`, with no stray bytecode. */
function childEnv(env: PythonEnv): NodeJS.ProcessEnv {
  const merged: NodeJS.ProcessEnv = {
    ...process.env,
    PYTHONDONTWRITEBYTECODE: '1',
    PYTHONUNBUFFERED: '1',
    ...env,
  };
  // A pyenv (or virtualenv) setting must not leak into Debian's Python.
  delete merged.PYTHONHOME;
  delete merged.PYTHONPATH;
  return merged;
}

/**
 * Runs `client.py <command> '<json params>'` (or `script`, e.g. `control.py`)
 * and returns the one JSON line it prints. A task's failure comes back as
 * `{ error: {type, module, message} }`; Python itself failing (exit code, no
 * JSON) rejects with its stderr.
 */
export async function runPython<T = Record<string, unknown>>(
  command: string,
  params: Record<string, unknown>,
  env: PythonEnv,
  { timeoutMs = 45_000, script = 'client.py' } = {},
): Promise<T> {
  const args = [script, command, JSON.stringify(params)];
  let stdout: string;
  try {
    ({ stdout } = await execFileAsync(PYTHON, args, {
      cwd: PYTHON_DIR,
      env: childEnv(env),
      timeout: timeoutMs,
      maxBuffer: 16 * 1024 * 1024,
    }));
  } catch (error) {
    const failed = error as {
      code?: unknown;
      signal?: unknown;
      stdout?: string;
      stderr?: string;
    };
    throw new Error(
      `python ${script} ${command} ${JSON.stringify(params)} failed ` +
        `(exit ${String(failed.code)}, signal ${String(failed.signal)}):\n` +
        `${failed.stderr ?? ''}${failed.stdout ?? ''}`,
      { cause: error },
    );
  }
  const line = stdout.trim().split('\n').pop() ?? '';
  try {
    return JSON.parse(line) as T;
  } catch {
    throw new Error(
      `python ${script} ${command} printed no JSON line:\n${stdout}`,
    );
  }
}

/** A Celery worker in a child process. */
export interface PythonWorker {
  /** Its node name, `py-<uuid>@<host>` before `%h` is expanded. */
  readonly nodeName: string;
  /** Everything it printed so far (stdout and stderr). */
  output(): string;
  /** SIGTERM (Celery's warm shutdown), then SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

export interface StartPythonWorkerOptions {
  queue: string;
  env?: Omit<PythonEnv, 'INTEROP_QUEUE'>;
  concurrency?: number;
  readyTimeoutMs?: number;
  /**
   * Send worker heartbeats (worker-online/heartbeat/offline events); off by
   * default (`--without-heartbeat`), as most suites do not listen.
   */
  heartbeat?: boolean;
  /** Send task events (Celery's `-E`). */
  taskEvents?: boolean;
}

/**
 * Starts `celery -A interop_app worker` consuming `queue` and resolves once
 * it logs that it is ready; rejects with its output if it exits first or is
 * not ready by the deadline.
 */
export async function startPythonWorker({
  queue,
  env = {},
  concurrency = 2,
  readyTimeoutMs = 30_000,
  heartbeat = false,
  taskEvents = false,
}: StartPythonWorkerOptions): Promise<PythonWorker> {
  const nodeName = `py-${randomUUID()}@%h`;
  const child = spawn(
    PYTHON,
    [
      '-m',
      'celery',
      '-A',
      'interop_app',
      'worker',
      '-Q',
      queue,
      '-P',
      'threads',
      '-c',
      String(concurrency),
      '-n',
      nodeName,
      '--without-gossip',
      '--without-mingle',
      ...(heartbeat ? [] : ['--without-heartbeat']),
      ...(taskEvents ? ['-E'] : []),
      '-l',
      'info',
    ],
    {
      cwd: PYTHON_DIR,
      env: childEnv({ ...env, INTEROP_QUEUE: queue }),
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  let spawnError: Error | undefined;
  child.once('error', (error) => {
    spawnError = error;
  });
  const collect = (chunk: Buffer) => {
    output += chunk.toString('utf8');
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const exited = exitOf(child);

  const worker: PythonWorker = {
    nodeName,
    output: () => output,
    stop: (graceMs = 15_000) => stopChild(child, exited, graceMs),
  };

  const deadline = Date.now() + readyTimeoutMs;
  // Celery logs "<node name> ready." once it consumes.
  while (!/ ready\.\s*$/m.test(output)) {
    if (spawnError) {
      throw new Error(
        `could not start ${PYTHON} -m celery: ${spawnError.message}`,
      );
    }
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(
        `the Python worker exited (${String(child.exitCode ?? child.signalCode)}) before it was ready:\n${output}`,
      );
    }
    if (Date.now() > deadline) {
      await worker.stop(5_000);
      throw new Error(
        `the Python worker was not ready within ${readyTimeoutMs} ms:\n${output}`,
      );
    }
    await sleep(100);
  }
  return worker;
}

function exitOf(child: ChildProcess): Promise<void> {
  return new Promise((resolveExit) => {
    if (child.exitCode !== null || child.signalCode !== null) {
      resolveExit();
      return;
    }
    child.once('exit', () => resolveExit());
    child.once('error', () => resolveExit());
  });
}

async function stopChild(
  child: ChildProcess,
  exited: Promise<void>,
  graceMs: number,
): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return;
  }
  child.kill('SIGTERM');
  const grace = new AbortController();
  const late = sleep(graceMs, 'late' as const, { signal: grace.signal }).catch(
    () => 'exited' as const,
  );
  const outcome = await Promise.race([
    exited.then(() => 'exited' as const),
    late,
  ]);
  grace.abort();
  if (outcome === 'late') {
    child.kill('SIGKILL');
    await exited;
  }
}
