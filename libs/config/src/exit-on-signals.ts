import type { INestApplicationContext, LoggerService } from '@nestjs/common';
import { shutdownTracing, tracingEnabled } from './tracing';

/**
 * The same signal again within this window is one request delivered twice,
 * not a second one: Ctrl-C in a terminal signals the whole foreground
 * process group, and `npm run start:*` (which `exec`s node) forwards the
 * signal it got to node as well.
 */
export const SIGNAL_ECHO_WINDOW_MS = 500;

/**
 * SIGTERM / SIGINT: a warm shutdown (`app.close()`: stop taking work,
 * finish what runs, close connections), then exit 0. A second signal while
 * that runs is a cold shutdown: exit 1 at once; the broker requeues
 * whatever was unacked. (The first signal's echo, see
 * SIGNAL_ECHO_WINDOW_MS, does not count.)
 *
 * @returns the same warm shutdown, for other triggers (the worker's remote
 *   `shutdown` command): call it with what asked for it
 */
export function exitOnSignals(
  app: INestApplicationContext,
  logger: LoggerService,
): (signal: string) => void {
  let first: { signal: string; at: number } | undefined;
  const onSignal = (signal: string) => {
    if (first) {
      const echo =
        signal === first.signal &&
        Date.now() - first.at < SIGNAL_ECHO_WINDOW_MS;
      if (echo) {
        return;
      }
      logger.warn({ msg: 'cold shutdown', signal });
      process.exit(1);
    }
    first = { signal, at: Date.now() };
    logger.log({ msg: 'warm shutdown', signal });
    // The spans still buffered are exported before the process ends.
    const closed = tracingEnabled()
      ? app.close().then(() => shutdownTracing())
      : app.close();
    closed.then(
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
