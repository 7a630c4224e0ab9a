import { tickTaskId } from './tick-task-id';

describe(tickTaskId.name, () => {
  const tick = Date.UTC(2026, 10, 24, 3, 0, 0);

  it('gives the same id for the same schedule and tick', () => {
    expect(tickTaskId('nightly', tick)).toBe(tickTaskId('nightly', tick));
  });

  it('gives different ids for another tick or another schedule', () => {
    const id = tickTaskId('nightly', tick);
    expect(tickTaskId('nightly', tick + 1000)).not.toBe(id);
    expect(tickTaskId('hourly', tick)).not.toBe(id);
  });

  it('is a version 5 RFC UUID', () => {
    expect(tickTaskId('nightly', tick)).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
  });
});
