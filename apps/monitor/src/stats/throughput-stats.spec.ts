import { ThroughputStats, WINDOW_BUCKETS } from './throughput-stats';

describe(ThroughputStats.name, () => {
  it('counts task events by state in 5-second buckets over 10 minutes', () => {
    const sut = new ThroughputStats();
    sut.record('task-succeeded', 1002, 0.2);
    sut.record('task-succeeded', 1004.9, 3);
    sut.record('task-failed', 1005);
    sut.record('worker-heartbeat', 1005);

    const { throughput, runtime } = sut.snapshot(1007);

    expect(throughput).toHaveLength(WINDOW_BUCKETS);
    expect(throughput.at(-1)).toMatchObject({
      t: 1005,
      bucketSeconds: 5,
      counts: { FAILURE: 1, SUCCESS: 0 },
    });
    expect(throughput.at(-2)).toMatchObject({
      t: 1000,
      counts: { SUCCESS: 2 },
    });
    expect(runtime.counts.reduce((a, b) => a + b, 0)).toBe(2);
    expect(runtime.counts[runtime.bucketsSeconds.indexOf(0.25)]).toBe(1);
    expect(runtime.counts[runtime.bucketsSeconds.indexOf(5)]).toBe(1);
  });

  it('forgets buckets older than the window', () => {
    const sut = new ThroughputStats();
    sut.record('task-succeeded', 0);

    const counts = sut.snapshot(10_000).throughput.map((b) => b.counts.SUCCESS);
    expect(counts.every((count) => count === 0)).toBe(true);
  });

  it('puts runtimes longer than the last bound in the last bucket', () => {
    const sut = new ThroughputStats();
    sut.record('task-succeeded', 0, 99_999);

    expect(sut.snapshot(1).runtime.counts.at(-1)).toBe(1);
  });
});
