import { destination, type DestinationStream } from 'pino';

/** How long a line may wait for others to share its write. */
export const COALESCE_WINDOW_MS = 10;
/** Past this many characters waiting, they are written at once. */
export const MAX_PENDING_CHARS = 64 * 1024;

/** A destination whose waiting lines can be written out now. */
export interface CoalescedDestination extends DestinationStream {
  flush(): void;
}

/**
 * Standard output for a busy process's log lines (the api writes one per
 * request): the lines of a 10 ms window go out as one write instead of one
 * write each, since a write to a pipe costs the caller tens of
 * microseconds. Lines keep their order; those still pending when the
 * process exits (an uncaught error included) are written first.
 */
export function coalescedStdout(): DestinationStream {
  // One per process: every app built in it (tests build several) shares it.
  if (!shared) {
    const stdout = destination({ dest: 1, sync: false });
    const coalesced = coalesceWrites(stdout);
    process.once('exit', () => {
      coalesced.flush();
      stdout.flushSync();
    });
    shared = coalesced;
  }
  return shared;
}

let shared: DestinationStream | undefined;

/** Writes to `target` the lines of each window as one chunk. */
export function coalesceWrites(target: {
  write(chunk: string): unknown;
}): CoalescedDestination {
  let pending: string[] = [];
  let pendingChars = 0;
  let timer: NodeJS.Timeout | undefined;
  const flush = (): void => {
    clearTimeout(timer);
    timer = undefined;
    if (pending.length > 0) {
      const chunk = pending.join('');
      pending = [];
      pendingChars = 0;
      target.write(chunk);
    }
  };
  return {
    flush,
    write(line: string): void {
      pending.push(line);
      pendingChars += line.length;
      if (pendingChars >= MAX_PENDING_CHARS) {
        flush();
      } else {
        // Unref'd: waiting lines never keep the process alive.
        timer ??= setTimeout(flush, COALESCE_WINDOW_MS).unref();
      }
    },
  };
}
