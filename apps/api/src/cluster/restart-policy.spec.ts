import { RestartPolicy } from './restart-policy';

const OPTIONS = { firstDelayMs: 100, maxDelayMs: 1_000, stableAfterMs: 30_000 };
const crash = (livedMs = 1_000) => ({
  shuttingDown: false,
  listened: true,
  livedMs,
});

describe(RestartPolicy.name, () => {
  let policy: RestartPolicy;

  beforeEach(() => {
    policy = new RestartPolicy(OPTIONS);
    policy.listening();
  });

  it('replaces crashed workers ever later, up to the longest delay', () => {
    const delays = [1, 2, 3, 4, 5, 6].map(
      () => policy.decide(crash()) as { delayMs: number },
    );
    expect(delays.map(({ delayMs }) => delayMs)).toEqual([
      100, 200, 400, 800, 1_000, 1_000,
    ]);
  });

  it('starts a new series after a worker that stayed up long enough', () => {
    policy.decide(crash());
    policy.decide(crash());
    expect(policy.decide(crash(30_000))).toEqual({
      action: 'restart',
      delayMs: 100,
      crashesInARow: 1,
    });
  });

  it('replaces nothing while the primary shuts down', () => {
    expect(policy.decide({ ...crash(), shuttingDown: true })).toEqual({
      action: 'none',
    });
  });

  it('gives up when a worker dies before any worker ever listened', () => {
    const fresh = new RestartPolicy(OPTIONS);
    expect(fresh.decide({ ...crash(), listened: false })).toEqual({
      action: 'give-up',
    });
  });

  it('restarts a worker that died while booting once another one has listened', () => {
    expect(policy.decide({ ...crash(), listened: false })).toMatchObject({
      action: 'restart',
    });
  });
});
