import cluster from 'node:cluster';
import { hostname } from 'node:os';
import pino from 'pino';
import { ApiPrimary } from './api-primary';

/**
 * What the workers' environment changes: API_RATE_LIMIT_STORE=memory would
 * give each process its own budget (N times the limit, and a client's
 * count depending on which process its connection landed on), so the
 * workers keep the limit in Redis, one budget for the whole api.
 */
export function workerEnvironment(
  environment: NodeJS.ProcessEnv,
): Record<string, string> {
  return environment.API_RATE_LIMIT_STORE === 'redis'
    ? {}
    : { API_RATE_LIMIT_STORE: 'redis' };
}

/** Runs this process as the cluster primary of `processes` api workers. */
export function runPrimary(processes: number): void {
  const logger = pino({
    level: pino.levels.values[process.env.LOG_LEVEL ?? '']
      ? process.env.LOG_LEVEL
      : 'info',
    base: { pid: process.pid, hostname: hostname(), context: 'ApiPrimary' },
  });
  const workerEnv = workerEnvironment(process.env);
  if (
    workerEnv.API_RATE_LIMIT_STORE &&
    Number(process.env.API_RATE_LIMIT) > 0
  ) {
    logger.warn({
      msg: 'API_RATE_LIMIT_STORE is memory, but with several api processes the rate limit is kept in Redis',
      processes,
    });
  }
  const primary = new ApiPrimary(cluster, logger, {
    processes,
    workerEnv,
    exit: (code) => process.exit(code),
  });
  process.on('SIGTERM', () => primary.onSignal('SIGTERM'));
  process.on('SIGINT', () => primary.onSignal('SIGINT'));
  primary.start();
}
