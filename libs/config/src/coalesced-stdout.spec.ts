import { jest } from '@jest/globals';
import {
  COALESCE_WINDOW_MS,
  coalesceWrites,
  MAX_WRITE_BYTES,
} from './coalesced-stdout';

describe('coalesceWrites', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  function target(): { write(chunk: string): void; chunks: string[] } {
    const chunks: string[] = [];
    return { chunks, write: (chunk) => void chunks.push(chunk) };
  }

  it("writes a window's lines as one chunk, in order, once the window ends", () => {
    const out = target();
    const lines = coalesceWrites(out);
    lines.write('a\n');
    lines.write('b\n');
    expect(out.chunks).toEqual([]);
    jest.advanceTimersByTime(COALESCE_WINDOW_MS);
    lines.write('c\n');
    jest.advanceTimersByTime(COALESCE_WINDOW_MS);
    expect(out.chunks).toEqual(['a\nb\n', 'c\n']);
  });

  it('never writes more than one pipe-atomic write of lines at once', () => {
    const out = target();
    const lines = coalesceWrites(out);
    const line = `${'é'.repeat(999)}\n`; // 1999 bytes
    lines.write(line);
    lines.write(line);
    lines.write(line); // would pass MAX_WRITE_BYTES: the two go first
    expect(out.chunks).toEqual([line + line]);
    jest.advanceTimersByTime(COALESCE_WINDOW_MS);
    expect(out.chunks).toEqual([line + line, line]);
    for (const chunk of out.chunks) {
      expect(Buffer.byteLength(chunk)).toBeLessThanOrEqual(MAX_WRITE_BYTES);
    }
  });

  it('writes a line longer than that alone, at once', () => {
    const out = target();
    const lines = coalesceWrites(out);
    const long = 'x'.repeat(MAX_WRITE_BYTES + 1);
    lines.write('a\n');
    lines.write(long);
    expect(out.chunks).toEqual(['a\n', long]);
  });

  it('writes what waits when flushed, and nothing when nothing waits', () => {
    const out = target();
    const lines = coalesceWrites(out);
    lines.flush();
    lines.write('a\n');
    lines.flush();
    jest.advanceTimersByTime(COALESCE_WINDOW_MS);
    expect(out.chunks).toEqual(['a\n']);
  });
});
