import { jest } from '@jest/globals';
import { setImmediate as turnEnd } from 'node:timers/promises';
import { BufferedLogOutput, MAX_WRITE_BYTES } from './log-output';

describe('BufferedLogOutput', () => {
  const output = () => {
    const writes: string[] = [];
    return {
      writes,
      stream: new BufferedLogOutput({ write: (text) => writes.push(text) }),
    };
  };

  it('hands on the lines of one turn in one write, in order, when the turn ends', async () => {
    const { writes, stream } = output();
    stream.write('{"a":1}\n');
    stream.write('{"b":2}\n');
    expect(writes).toEqual([]);
    await turnEnd();
    expect(writes).toEqual(['{"a":1}\n{"b":2}\n']);
    stream.write('{"c":3}\n');
    await turnEnd();
    expect(writes).toEqual(['{"a":1}\n{"b":2}\n', '{"c":3}\n']);
  });

  it('flushes at once when asked (pino flush, exit) and then calls back', async () => {
    const { writes, stream } = output();
    const done = jest.fn();
    stream.write('x\n');
    stream.flush(done);
    expect(writes).toEqual(['x\n']);
    expect(done).toHaveBeenCalledTimes(1);
    await turnEnd();
    expect(writes).toEqual(['x\n']);
  });

  it('never hands on more than MAX_WRITE_BYTES in one write, keeping lines whole and in order', async () => {
    const { writes, stream } = output();
    const line = `${'x'.repeat(999)}\n`;
    for (let index = 0; index < 9; index++) {
      stream.write(line);
    }
    await turnEnd();
    expect(writes.join('')).toBe(line.repeat(9));
    for (const write of writes) {
      expect(Buffer.byteLength(write)).toBeLessThanOrEqual(MAX_WRITE_BYTES);
      expect(write.endsWith('\n')).toBe(true);
    }
    expect(writes).toHaveLength(3);
  });
});
