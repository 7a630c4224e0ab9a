import { jest } from '@jest/globals';
import {
  COALESCE_WINDOW_MS,
  coalesceWrites,
  MAX_PENDING_CHARS,
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

  it('writes at once when too much waits', () => {
    const out = target();
    const lines = coalesceWrites(out);
    const big = 'x'.repeat(MAX_PENDING_CHARS / 2);
    lines.write(big);
    lines.write(big);
    expect(out.chunks).toEqual([big + big]);
    jest.advanceTimersByTime(COALESCE_WINDOW_MS);
    expect(out.chunks).toHaveLength(1);
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
