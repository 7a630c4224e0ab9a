import { destination, type DestinationStream } from 'pino';

/**
 * The most bytes one write carries (Linux's PIPE_BUF): a pipe takes such a
 * write whole, so the lines of several processes sharing one stdout (a
 * clustered api's workers) never interleave mid-line.
 */
export const MAX_WRITE_BYTES = 4096;

/** What {@link BufferedLogOutput} writes to: pino's sonic-boom. */
export interface LogSink {
  write(text: string): unknown;
}

/**
 * A pino destination that gathers the lines logged in one turn of the event
 * loop and hands them on in one write when the turn ends (`setImmediate`).
 *
 * pino's default destination (sonic-boom, asynchronous) hands every write
 * to libuv's thread pool: a worker logging a line per task (`task
 * succeeded`, as Celery logs one at INFO) paid for a thread hand-off and a
 * `write` per line, about a sixth of its CPU per task, and woke whatever
 * reads its output as often. Here a turn's lines go to it as one write,
 * none waiting longer than its turn. It stays asynchronous: a synchronous
 * `write` blocks the event loop whenever the reader of a pipe falls behind
 * (an api serving requests stalled on it). What is pending when the
 * process exits is written then.
 */
export class BufferedLogOutput implements DestinationStream {
  private pending = '';
  private scheduled = false;

  constructor(private readonly sink: LogSink) {}

  write(line: string): void {
    // A write stays within MAX_WRITE_BYTES (a line longer than that alone).
    if (
      this.pending.length > 0 &&
      Buffer.byteLength(this.pending) + Buffer.byteLength(line) >
        MAX_WRITE_BYTES
    ) {
      this.sink.write(this.pending);
      this.pending = '';
    }
    this.pending += line;
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.flush);
    }
  }

  /** Writes what is pending now (pino's `logger.flush`, and at exit). */
  readonly flush = (done?: (error?: Error) => void): void => {
    this.scheduled = false;
    const text = this.pending;
    this.pending = '';
    if (text.length > 0) {
      this.sink.write(text);
    }
    if (typeof done === 'function') {
      done();
    }
  };
}

let stdout: BufferedLogOutput | undefined;

/** The process's one {@link BufferedLogOutput} on standard output. */
export function stdoutLogOutput(): BufferedLogOutput {
  if (!stdout) {
    // maxWrite: sonic-boom's own batching (while a write is in flight)
    // stays within one pipe-atomic write too.
    const sink = destination({
      dest: 1,
      sync: false,
      maxWrite: MAX_WRITE_BYTES,
    });
    const output = new BufferedLogOutput(sink);
    process.on('exit', () => {
      output.flush();
      sink.flushSync();
    });
    stdout = output;
  }
  return stdout;
}
