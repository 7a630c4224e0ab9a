import pino from 'pino';
import { PinoLogger } from 'nestjs-pino';
import { logLevelEnabled } from './log-level';

describe(logLevelEnabled.name, () => {
  const root = Object.getOwnPropertyDescriptor(PinoLogger, 'root');

  afterEach(() => {
    if (root) {
      Object.defineProperty(PinoLogger, 'root', root);
    }
  });

  function useRoot(logger: unknown): void {
    Object.defineProperty(PinoLogger, 'root', {
      value: logger,
      configurable: true,
      writable: true,
    });
  }

  it('follows the root logger level, also when it changes', () => {
    const logger = pino({ level: 'warn' });
    useRoot(logger);
    expect(logLevelEnabled('info')).toBe(false);
    expect(logLevelEnabled('debug')).toBe(false);
    logger.level = 'info';
    expect(logLevelEnabled('info')).toBe(true);
    expect(logLevelEnabled('debug')).toBe(false);
  });

  it('is true before a root logger exists', () => {
    useRoot(undefined);
    expect(logLevelEnabled('debug')).toBe(true);
  });
});
