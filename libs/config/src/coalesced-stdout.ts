import { destination, type DestinationStream } from 'pino';

/** How long a line may wait for others to share its write. */
export const COALESCE_WINDOW_MS = 10;
/**
 * The most bytes one write carries (Linux's PIPE_BUF): a pipe takes such a
 * write whole, so the lines of several processes sharing one stdout (a
 * clustered api's workers) never interleave mid-line.
 */
export const MAX_WRITE_BYTES = 4096;

/** A destination whose waiting lines can be written out now. */
export interface CoalescedDestination extends DestinationStream {
  flush(): void;
}

/**
 * Standard output for a busy process's log lines (the api writes one per
 * request): the lines of a 10 ms window go out in one write (up to 4 KB)
 * instead of one write each, since a write to a pipe costs the caller tens of
 * microseconds. Lines keep their order; those still pending when the
 * process exits (an uncaught error included) are written first.
 */
export function coalescedStdout(): DestinationStream {
  // One per process: every app built in it (tests build several) shares it.
  if (!shared) {
    // maxWrite: sonic-boom's own batching (while a write is in flight)
    // stays within one pipe-atomic write too.
    const stdout = destination({
      dest: 1,
      sync: false,
      maxWrite: MAX_WRITE_BYTES,
    });
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

/**
 * Writes to `target` the lines of each window as one chunk of at most
 * MAX_WRITE_BYTES (a longer line alone).
 */
export function coalesceWrites(target: {
  write(chunk: string): unknown;
}): CoalescedDestination {
  let pending: string[] = [];
  let pendingBytes = 0;
  let timer: NodeJS.Timeout | undefined;
  const flush = (): void => {
    clearTimeout(timer);
    timer = undefined;
    if (pending.length > 0) {
      const chunk = pending.join('');
      pending = [];
      pendingBytes = 0;
      target.write(chunk);
    }
  };
  return {
    flush,
    write(line: string): void {
      const bytes = Buffer.byteLength(line);
      if (pendingBytes + bytes > MAX_WRITE_BYTES) {
        flush();
      }
      pending.push(line);
      pendingBytes += bytes;
      if (pendingBytes >= MAX_WRITE_BYTES) {
        flush();
      } else {
        // Unref'd: waiting lines never keep the process alive.
        timer ??= setTimeout(flush, COALESCE_WINDOW_MS).unref();
      }
    },
  };
}
