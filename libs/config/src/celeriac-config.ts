import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { hostname } from 'node:os';
import type { EnvironmentVariables } from './environment-variables';

/** Typed, grouped configuration, parsed once from the validated environment. */
@Injectable()
export class CeleriacConfig {
  readonly broker: { url: string };
  readonly results: { url: string; expiresSeconds: number };
  readonly api: { port: number };
  readonly worker: {
    queues: string[];
    concurrency: number;
    healthPort: number;
    hostname: string;
    shutdownTimeoutSeconds: number;
  };
  readonly monitor: { port: number };
  readonly tasks: {
    defaultQueue: string;
    timeScale: number;
    softTimeLimit: number;
    timeLimit: number;
  };
  readonly log: { level: string };

  constructor(config: ConfigService<EnvironmentVariables, true>) {
    const get = <K extends keyof EnvironmentVariables>(key: K) =>
      config.get(key, { infer: true });
    this.broker = { url: get('BROKER_URL') };
    this.results = {
      url: get('RESULT_BACKEND_URL'),
      expiresSeconds: get('RESULT_EXPIRES'),
    };
    this.api = { port: get('API_PORT') };
    this.worker = {
      queues: [...new Set(get('WORKER_QUEUES').split(','))],
      concurrency: get('WORKER_CONCURRENCY'),
      healthPort: get('WORKER_HEALTH_PORT'),
      hostname: get('WORKER_HOSTNAME') ?? `celeriac@${hostname()}`,
      shutdownTimeoutSeconds: get('WORKER_SHUTDOWN_TIMEOUT'),
    };
    this.monitor = { port: get('MONITOR_PORT') };
    this.tasks = {
      defaultQueue: get('TASK_DEFAULT_QUEUE'),
      timeScale: get('TASK_TIME_SCALE'),
      softTimeLimit: get('TASK_SOFT_TIME_LIMIT'),
      timeLimit: get('TASK_TIME_LIMIT'),
    };
    this.log = { level: get('LOG_LEVEL') };
  }
}
