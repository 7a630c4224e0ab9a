import { EventBatcher } from './event-batcher';

describe(EventBatcher.name, () => {
  let frames: (() => void)[];
  let flushed: { id: string; n: number }[][];
  let sut: EventBatcher<{ id: string; n: number }>;

  beforeEach(() => {
    frames = [];
    flushed = [];
    sut = new EventBatcher(
      (item) => item.id,
      (items) => flushed.push(items),
      (run) => frames.push(run),
    );
  });

  it('hands a burst over once, on the next frame', () => {
    sut.push({ id: 'a', n: 1 });
    sut.push({ id: 'b', n: 1 });
    expect(flushed).toEqual([]);
    expect(frames).toHaveLength(1);
    frames[0]();
    expect(flushed).toEqual([
      [
        { id: 'a', n: 1 },
        { id: 'b', n: 1 },
      ],
    ]);
  });

  it('coalesces items with one key, the last winning by default', () => {
    sut.push({ id: 'a', n: 1 });
    sut.push({ id: 'a', n: 2 });
    frames[0]();
    expect(flushed).toEqual([[{ id: 'a', n: 2 }]]);
  });

  it('schedules a new frame for what arrives after a flush', () => {
    sut.push({ id: 'a', n: 1 });
    frames[0]();
    sut.push({ id: 'a', n: 3 });
    expect(frames).toHaveLength(2);
    frames[1]();
    expect(flushed[1]).toEqual([{ id: 'a', n: 3 }]);
  });

  it('combines with the given function', () => {
    const sums: { id: string; n: number }[][] = [];
    const summing = new EventBatcher<{ id: string; n: number }>(
      (item) => item.id,
      (items) => sums.push(items),
      (run) => frames.push(run),
      (earlier, later) => ({ id: later.id, n: earlier.n + later.n }),
    );
    summing.push({ id: 'a', n: 1 });
    summing.push({ id: 'a', n: 2 });
    frames[0]();
    expect(sums).toEqual([[{ id: 'a', n: 3 }]]);
  });
});
