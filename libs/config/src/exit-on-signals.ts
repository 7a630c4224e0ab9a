import type { INestApplicationContext, LoggerService } from '@nestjs/common';

/**
 * SIGTERM / SIGINT: a warm shutdown (`app.close()`: stop taking work,
 * finish what runs, close connections), then exit 0. A second signal while
 * that runs is a cold shutdown: exit 1 at once; the broker requeues
 * whatever was unacked.
 *
 * @returns the same warm shutdown, for other triggers (the worker's remote
 *   `shutdown` command): call it with what asked for it
 */
export function exitOnSignals(
  app: INestApplicationContext,
  logger: LoggerService,
): (signal: string) => void {
  let stopping = false;
  const onSignal = (signal: string) => {
    if (stopping) {
      logger.warn({ msg: 'cold shutdown', signal });
      process.exit(1);
    }
    stopping = true;
    logger.log({ msg: 'warm shutdown', signal });
    app.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ msg: 'shutdown failed', err: error });
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  return onSignal;
}
