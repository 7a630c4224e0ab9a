import { PinoLogger } from 'nestjs-pino';

/**
 * Whether the root pino logger writes `level` now, for lines written per
 * task: at LOG_LEVEL=warn the worker then builds none of them. True before
 * the logger module has made its root logger (unit tests, early boot).
 */
export function logLevelEnabled(level: 'debug' | 'info'): boolean {
  return PinoLogger.root?.isLevelEnabled(level) ?? true;
}
