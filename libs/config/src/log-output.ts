import { destination, type DestinationStream } from 'pino';

/** What {@link BufferedLogOutput} writes to: pino's sonic-boom. */
export interface LogSink {
  write(text: string): unknown;
}

/** How long a logged line may wait to be written with the ones after it. */
export const LOG_FLUSH_MS = 10;

/**
 * A pino destination that gathers the lines logged within
 * {@link LOG_FLUSH_MS} and hands them on in one write.
 *
 * pino's default destination (sonic-boom, asynchronous) hands every write
 * to libuv's thread pool: a worker logging a line per task (`task
 * succeeded`, as Celery logs one at INFO) paid for a thread hand-off and a
 * `write` per line, about a sixth of its CPU per task, and woke whatever
 * reads its output as often. Here the lines of 10 ms go to it as one write.
 * It stays asynchronous: a synchronous `write` blocks the event loop
 * whenever the reader of a pipe falls behind (an api serving requests
 * stalled on it). What is pending when the process exits is written then.
 */
export class BufferedLogOutput implements DestinationStream {
  private pending = '';
  private scheduled = false;

  constructor(private readonly sink: LogSink) {}

  write(line: string): void {
    this.pending += line;
    if (!this.scheduled) {
      this.scheduled = true;
      setTimeout(this.flush, LOG_FLUSH_MS).unref();
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
    const sink = destination({ dest: 1, sync: false });
    const output = new BufferedLogOutput(sink);
    process.on('exit', () => {
      output.flush();
      sink.flushSync();
    });
    stdout = output;
  }
  return stdout;
}
