// The repository's docker-compose.yaml as one test project: its own project
// name, host ports and RabbitMQ data dir from the variables the file reads,
// nothing else changed; optionally a profile's services (the `ha` stack).
// Calls Debian's docker-compose v1.29 explicitly.
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { COMPOSE, DOCKER } from './docker-engine';

const exec = promisify(execFile);
const ROOT = process.cwd();
const COMPOSE_FILE = resolve(ROOT, 'docker-compose.yaml');
const LONG = { maxBuffer: 64 * 1024 * 1024, timeout: 900_000 };

export const SERVICES = [
  'rabbitmq',
  'redis',
  'api',
  'worker',
  'beat',
  'monitor',
] as const;
export type ServiceName = (typeof SERVICES)[number];

/** Which services of the file a {@link ComposeStack} runs. */
export interface StackServices {
  /** Passed as `--profile`; none: the services without a profile. */
  profiles?: readonly string[];
  /** What {@link ComposeStack.waitHealthy} and saveLogs cover. */
  services: readonly string[];
}

/** What `docker inspect` says of a container, as far as the test reads it. */
export interface ContainerState {
  Name: string;
  State: {
    Status: string;
    ExitCode: number;
    Health?: { Status: string };
  };
  NetworkSettings: {
    Ports: Record<string, { HostIp: string; HostPort: string }[] | null>;
    Networks?: Record<string, { IPAddress: string }>;
  };
}

/** The variables docker-compose.yaml interpolates (`${NAME...}`). */
function composeVariables(): Set<string> {
  const text = readFileSync(COMPOSE_FILE, 'utf8');
  return new Set([...text.matchAll(/\$\{([A-Z0-9_]+)/g)].map((m) => m[1]));
}

export class ComposeStack {
  private readonly env: NodeJS.ProcessEnv;

  /**
   * @param settings the compose variables this run sets; the others the file
   *   reads are removed from the environment, and an empty --env-file keeps a
   *   developer's .env out, so the file's own defaults apply
   */
  constructor(
    readonly project: string,
    settings: Record<string, string>,
    private readonly envFile: string,
    private readonly selection: StackServices = { services: SERVICES },
  ) {
    writeFileSync(envFile, '');
    const env: NodeJS.ProcessEnv = { ...process.env };
    for (const name of composeVariables()) {
      delete env[name];
    }
    this.env = {
      ...env,
      ...settings,
      // The docker-py builder: no buildx, and no other `docker` from PATH.
      COMPOSE_DOCKER_CLI_BUILD: '0',
      DOCKER_BUILDKIT: '0',
      PATH: `/usr/bin:${process.env.PATH ?? ''}`,
    };
  }

  /** `docker-compose <args>` for this project; stdout. */
  async compose(...args: string[]): Promise<string> {
    const { stdout } = await exec(
      COMPOSE,
      [
        '--env-file',
        this.envFile,
        '--project-name',
        this.project,
        '--file',
        COMPOSE_FILE,
        ...(this.selection.profiles ?? []).flatMap((profile) => [
          '--profile',
          profile,
        ]),
        ...args,
      ],
      { ...LONG, cwd: ROOT, env: this.env },
    );
    return stdout;
  }

  /**
   * What `docker-compose ps -q --all <service>` says, from the labels compose
   * puts on its containers: the Go CLI answers in milliseconds where a
   * docker-compose (Python) process costs a second of CPU, which adds up
   * while waitHealthy polls twelve services on a busy machine.
   */
  async containerId(service: string): Promise<string> {
    const { stdout } = await exec(DOCKER, [
      'ps',
      '--all',
      '--quiet',
      '--filter',
      `label=com.docker.compose.project=${this.project}`,
      '--filter',
      `label=com.docker.compose.service=${service}`,
      '--filter',
      'label=com.docker.compose.oneoff=False',
    ]);
    return stdout.trim().split('\n')[0];
  }

  async inspect(service: string): Promise<ContainerState> {
    const id = await this.containerId(service);
    const { stdout } = await exec(DOCKER, ['inspect', id]);
    return (JSON.parse(stdout) as ContainerState[])[0];
  }

  /** `docker exec` in the service's container; stdout, or throws on a non-zero exit. */
  async execIn(service: string, ...command: string[]): Promise<string> {
    const id = await this.containerId(service);
    const { stdout } = await exec(DOCKER, ['exec', id, ...command]);
    return stdout;
  }

  /** `docker kill` of the service's container: SIGKILL, no shutdown. */
  async kill(service: string): Promise<void> {
    await exec(DOCKER, ['kill', await this.containerId(service)]);
  }

  /** The HEALTHCHECK the service's image has (compose's own overrides it in the container). */
  async imageHealthcheck(service: ServiceName): Promise<string[]> {
    const id = await this.containerId(service);
    const { stdout } = await exec(DOCKER, [
      'inspect',
      '--format',
      '{{.Image}}',
      id,
    ]);
    const image = await exec(DOCKER, [
      'image',
      'inspect',
      '--format',
      '{{json .Config.Healthcheck.Test}}',
      stdout.trim(),
    ]);
    return JSON.parse(image.stdout) as string[];
  }

  async logs(service: string): Promise<string> {
    return this.compose('logs', '--no-color', service);
  }

  /** Waits until every service's container reports healthy; throws with their states if not. */
  async waitHealthy(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let states: string[] = [];
    while (Date.now() < deadline) {
      states = await Promise.all(
        this.selection.services.map(async (service) => {
          const id = await this.containerId(service);
          if (!id) {
            return `${service}: no container`;
          }
          const { stdout } = await exec(DOCKER, [
            'inspect',
            '--format',
            '{{.State.Status}} {{if .State.Health}}{{.State.Health.Status}}{{end}}',
            id,
          ]);
          return `${service}: ${stdout.trim()}`;
        }),
      );
      if (states.every((state) => state.endsWith('running healthy'))) {
        return;
      }
      await sleep(2000);
    }
    throw new Error(`not all healthy: ${states.join(', ')}`);
  }

  /** Container events of this project since `since` (unix seconds) until now. */
  async events(
    since: number,
  ): Promise<{ service: string; status: string; timeNano: number }[]> {
    const { stdout } = await exec(
      DOCKER,
      [
        'events',
        '--since',
        String(since),
        '--until',
        String(Math.ceil(Date.now() / 1000)),
        '--filter',
        'type=container',
        '--filter',
        `label=com.docker.compose.project=${this.project}`,
        '--format',
        '{{json .}}',
      ],
      LONG,
    );
    return stdout
      .split('\n')
      .filter(Boolean)
      .map((line) => {
        const event = JSON.parse(line) as {
          status: string;
          timeNano: number;
          Actor: { Attributes: Record<string, string> };
        };
        return {
          service: event.Actor.Attributes['com.docker.compose.service'],
          status: event.status,
          timeNano: event.timeNano,
        };
      });
  }

  /** Every service's log into `dir`, for reading after a failure. */
  async saveLogs(dir: string): Promise<void> {
    await Promise.all(
      this.selection.services.map(async (service) => {
        try {
          writeFileSync(join(dir, `${service}.log`), await this.logs(service));
        } catch {
          // No container: nothing to keep.
        }
      }),
    );
  }
}
