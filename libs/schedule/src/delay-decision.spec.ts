import { delayBeyondThreshold, delayedJobId } from './delay-decision';
import { retryBackoffMs } from './schedule-job-options';

describe(delayBeyondThreshold.name, () => {
  const now = Date.UTC(2026, 10, 24, 3, 0, 0);
  const inSeconds = (seconds: number) =>
    new Date(now + seconds * 1000).toISOString().replace(/Z$/, '+00:00');

  it('delays an ETA beyond the threshold by the time left', () => {
    expect(delayBeyondThreshold(inSeconds(10), 5, now)).toBe(10_000);
  });

  it.each([
    ['no ETA', null, 5],
    ['an ETA within the threshold', inSeconds(5), 5],
    ['a past ETA', inSeconds(-30), 5],
    ['an unparsable ETA', 'tomorrow', 5],
    ['a threshold of 0 (handoff off)', inSeconds(3600), 0],
  ])('leaves %s as it is', (_label, eta, threshold) => {
    expect(delayBeyondThreshold(eta, threshold, now)).toBeNull();
  });
});

describe(delayedJobId.name, () => {
  it('is the task id itself when BullMQ accepts it', () => {
    expect(delayedJobId('265caae7-9b57-43bf-ba0c-01eb3ae21630')).toBe(
      '265caae7-9b57-43bf-ba0c-01eb3ae21630',
    );
  });

  it.each(['a:b', '42'])('hashes %s, which BullMQ refuses, stably', (id) => {
    expect(delayedJobId(id)).toMatch(/^task-[0-9a-f]{64}$/);
    expect(delayedJobId(id)).toBe(delayedJobId(id));
  });
});

describe(retryBackoffMs.name, () => {
  it('doubles from 1 s and stops at 30 s', () => {
    expect([1, 2, 3, 5, 6, 50].map(retryBackoffMs)).toEqual([
      1000, 2000, 4000, 16_000, 30_000, 30_000,
    ]);
  });
});
