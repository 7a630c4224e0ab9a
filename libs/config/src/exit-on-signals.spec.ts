import { jest } from '@jest/globals';
import type { INestApplicationContext } from '@nestjs/common';
import { exitOnSignals, SIGNAL_ECHO_WINDOW_MS } from './exit-on-signals';

describe(exitOnSignals.name, () => {
  let exit: jest.SpiedFunction<typeof process.exit>;
  let logger: { log: jest.Mock; warn: jest.Mock; error: jest.Mock };
  let closed: () => void;
  let onSignal: (signal: string) => void;

  beforeEach(() => {
    jest.useFakeTimers({ now: 1_000_000 });
    exit = jest
      .spyOn(process, 'exit')
      .mockImplementation((() => undefined) as never);
    logger = { log: jest.fn(), warn: jest.fn(), error: jest.fn() };
    const app = {
      close: () =>
        new Promise<void>((resolve) => {
          closed = resolve;
        }),
    } as unknown as INestApplicationContext;
    onSignal = exitOnSignals(app, logger);
  });

  afterEach(() => {
    process.removeListener('SIGTERM', onSignal);
    process.removeListener('SIGINT', onSignal);
    exit.mockRestore();
    jest.useRealTimers();
  });

  it('closes the app, then exits 0', async () => {
    onSignal('SIGTERM');
    expect(logger.log).toHaveBeenCalledWith({
      msg: 'warm shutdown',
      signal: 'SIGTERM',
    });
    expect(exit).not.toHaveBeenCalled();
    closed();
    await Promise.resolve();
    await Promise.resolve();
    expect(exit).toHaveBeenCalledWith(0);
  });

  it('takes the same signal at once again as its echo (terminal group + npm forwarding it)', () => {
    onSignal('SIGINT');
    jest.advanceTimersByTime(SIGNAL_ECHO_WINDOW_MS / 10);
    onSignal('SIGINT');
    expect(exit).not.toHaveBeenCalled();
    expect(logger.warn).not.toHaveBeenCalled();
  });

  it('exits 1 at once on a second signal later: a cold shutdown', () => {
    onSignal('SIGINT');
    jest.advanceTimersByTime(SIGNAL_ECHO_WINDOW_MS + 1);
    onSignal('SIGINT');
    expect(logger.warn).toHaveBeenCalledWith({
      msg: 'cold shutdown',
      signal: 'SIGINT',
    });
    expect(exit).toHaveBeenCalledWith(1);
  });

  it('exits 1 on another signal even at once', () => {
    onSignal('SIGTERM');
    onSignal('SIGINT');
    expect(exit).toHaveBeenCalledWith(1);
  });
});
