import { afterEach, beforeEach, jest } from '@jest/globals';
import { BufferedLogOutput, LOG_FLUSH_MS } from './log-output';

describe('BufferedLogOutput', () => {
  beforeEach(() => {
    jest.useFakeTimers();
  });

  afterEach(() => {
    jest.useRealTimers();
  });

  const output = () => {
    const writes: string[] = [];
    return {
      writes,
      stream: new BufferedLogOutput({ write: (text) => writes.push(text) }),
    };
  };

  it('writes the lines logged within LOG_FLUSH_MS in one write, in order', () => {
    const { writes, stream } = output();
    stream.write('{"a":1}\n');
    jest.advanceTimersByTime(LOG_FLUSH_MS - 1);
    stream.write('{"b":2}\n');
    expect(writes).toEqual([]);
    jest.advanceTimersByTime(1);
    expect(writes).toEqual(['{"a":1}\n{"b":2}\n']);
    stream.write('{"c":3}\n');
    jest.advanceTimersByTime(LOG_FLUSH_MS);
    expect(writes).toEqual(['{"a":1}\n{"b":2}\n', '{"c":3}\n']);
  });

  it('flushes at once when asked (pino flush, exit) and then calls back', () => {
    const { writes, stream } = output();
    const done = jest.fn();
    stream.write('x\n');
    stream.flush(done);
    expect(writes).toEqual(['x\n']);
    expect(done).toHaveBeenCalledTimes(1);
    jest.advanceTimersByTime(LOG_FLUSH_MS);
    expect(writes).toEqual(['x\n']);
  });
});
