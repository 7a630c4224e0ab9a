import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dump } from 'js-yaml';
import { freePort } from './owned-redis';
import { pollUntil } from './poll-until';

/** What Prometheus' HTTP API answers to a query. */
export interface PromqlAnswer {
  status: 'success' | 'error';
  error?: string;
  data?: { resultType: string; result: unknown[] };
}

/** A rule as GET /api/v1/rules reports it after evaluating it. */
export interface EvaluatedRule {
  name: string;
  health: string;
  lastError?: string;
}

/**
 * A Prometheus server the test owns: its own config, rule files and
 * storage in a temporary folder, listening on 127.0.0.1 only.
 */
export class OwnedPrometheus {
  private constructor(
    private readonly child: ChildProcess,
    private readonly folder: string,
    readonly url: string,
    private readonly output: () => string,
  ) {}

  /**
   * Starts `binary` with `config` (written as prometheus.yml) and `files`
   * beside it (e.g. the rule files it names); resolves once /-/ready is 200.
   */
  static async start(
    binary: string,
    config: object,
    files: Record<string, string> = {},
  ): Promise<OwnedPrometheus> {
    const folder = await mkdtemp(join(tmpdir(), 'celeriac-prometheus-'));
    await writeFile(join(folder, 'prometheus.yml'), dump(config));
    for (const [name, text] of Object.entries(files)) {
      await writeFile(join(folder, name), text);
    }
    const port = await freePort();
    const child = spawn(
      binary,
      [
        `--config.file=${join(folder, 'prometheus.yml')}`,
        `--storage.tsdb.path=${join(folder, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--log.level=warn',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const server = new OwnedPrometheus(
      child,
      folder,
      `http://127.0.0.1:${port}`,
      () => output,
    );
    const ready = await pollUntil(
      () =>
        fetch(`${server.url}/-/ready`).then(
          (response) => response.status === 200,
          () => false,
        ),
      (up) => up || child.exitCode !== null,
      { timeoutMs: 20_000, intervalMs: 200 },
    );
    if (!ready) {
      await server.stop();
      throw new Error(`prometheus did not become ready:\n${output}`);
    }
    return server;
  }

  /** An instant query now. */
  async query(expr: string): Promise<PromqlAnswer> {
    const response = await fetch(
      `${this.url}/api/v1/query?query=${encodeURIComponent(expr)}`,
    );
    return (await response.json()) as PromqlAnswer;
  }

  /** Every rule it loaded, with its health after the last evaluation. */
  async rules(): Promise<EvaluatedRule[]> {
    const response = await fetch(`${this.url}/api/v1/rules`);
    const body = (await response.json()) as {
      data: { groups: { rules: EvaluatedRule[] }[] };
    };
    return body.data.groups.flatMap((group) => group.rules);
  }

  /** Its log so far, for failure messages. */
  log(): string {
    return this.output();
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null) {
      const exited = new Promise((resolve) => this.child.once('exit', resolve));
      this.child.kill('SIGTERM');
      await exited;
    }
    await rm(this.folder, { recursive: true, force: true });
  }
}
