import type { StateCounts } from '../../src/contract/monitor-views';
import { runtimeSeries, throughputSeries } from './chart-data';

/** A bucket's counts as the monitor sends them: every state, 0 when none. */
const counts = (some: Partial<StateCounts>): StateCounts => ({
  SUCCESS: 0,
  FAILURE: 0,
  RETRY: 0,
  REVOKED: 0,
  STARTED: 0,
  RECEIVED: 0,
  ...some,
});

describe('throughputSeries', () => {
  it('orders buckets in time, one series per state', () => {
    const at = (h: number, m: number, s: number) =>
      new Date(2026, 0, 1, h, m, s).getTime() / 1000;
    const { labels, series } = throughputSeries([
      { t: at(10, 0, 5), bucketSeconds: 5, counts: counts({ FAILURE: 1 }) },
      {
        t: at(10, 0, 0),
        bucketSeconds: 5,
        counts: counts({ SUCCESS: 4, STARTED: 2 }),
      },
    ]);
    expect(labels).toEqual(['10:00:00', '10:00:05']);
    expect(series.SUCCESS).toEqual([4, 0]);
    expect(series.FAILURE).toEqual([0, 1]);
    expect(series.STARTED).toEqual([2, 0]);
    expect(series.REVOKED).toEqual([0, 0]);
  });
});

describe('runtimeSeries', () => {
  it('labels each upper bound, plus the overflow bucket when sent', () => {
    expect(
      runtimeSeries({ bucketsSeconds: [0.5, 2, 60], counts: [3, 1, 0, 2] }),
    ).toEqual({
      labels: ['≤ 500 ms', '≤ 2.00 s', '≤ 1m 00s', '> 1m 00s'],
      counts: [3, 1, 0, 2],
    });
  });

  it('shows 0 where the monitor sent fewer counts than bounds', () => {
    expect(runtimeSeries({ bucketsSeconds: [1, 5], counts: [7] })).toEqual({
      labels: ['≤ 1.00 s', '≤ 5.00 s'],
      counts: [7, 0],
    });
  });
});
