import { destination, type DestinationStream } from 'pino';

/** What {@link TurnBufferedOutput} writes to: pino's sonic-boom, synchronous. */
export interface LogSink {
  write(text: string): unknown;
}

/**
 * A pino destination that gathers the lines logged in one turn of the event
 * loop and writes them in one go when the turn ends (`setImmediate`).
 *
 * pino's default destination hands every write to libuv's thread pool: a
 * worker logging a line per task (`task succeeded`, as Celery logs one at
 * INFO) paid for a thread hand-off and a `write` per line, about a sixth of
 * the worker's CPU per task. Here a turn's lines cost one synchronous
 * `write`, as Node's own `process.stdout` does for pipes and files; no line
 * waits longer than the turn that logged it, and what a turn logged before
 * the process exits is written on `exit`.
 */
export class TurnBufferedOutput implements DestinationStream {
  private pending = '';
  private scheduled = false;

  constructor(private readonly sink: LogSink) {}

  write(line: string): void {
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

let stdout: TurnBufferedOutput | undefined;

/** The process's one {@link TurnBufferedOutput} on standard output. */
export function stdoutLogOutput(): TurnBufferedOutput {
  if (!stdout) {
    const output = new TurnBufferedOutput(destination({ dest: 1, sync: true }));
    process.on('exit', () => output.flush());
    stdout = output;
  }
  return stdout;
}
