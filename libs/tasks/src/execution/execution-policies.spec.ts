import { SoftTimeLimitExceeded, TimeLimitExceeded } from '../errors';
import { ConcurrencyLimit } from './concurrency-limit';
import { retryCountdown } from './retry-policy';
import { runWithTimeLimits } from './time-limits';

describe(retryCountdown.name, () => {
  it.each([
    ['an explicit countdown', {}, 3, 7, 7],
    ['the default delay without backoff', {}, 0, undefined, 180],
    ['a custom default delay', { defaultRetryDelay: 5 }, 2, undefined, 5],
    [
      'backoff: base * 2^retries',
      { retryBackoff: { base: 2, jitter: false } },
      3,
      undefined,
      16,
    ],
    [
      'backoff capped at max',
      { retryBackoff: { base: 1, max: 10, jitter: false } },
      8,
      undefined,
      10,
    ],
  ])('uses %s', (_case, options, retries, explicit, expected) => {
    expect(retryCountdown(options, retries, explicit)).toBe(expected);
  });

  it('jitters between 0 and the backoff', () => {
    const options = { retryBackoff: { base: 1 } };
    expect(retryCountdown(options, 3, undefined, () => 0.5)).toBe(4);
    expect(retryCountdown(options, 3, undefined, () => 0)).toBe(0);
  });
});

describe(ConcurrencyLimit.name, () => {
  it('lets at most `limit` holders in, then the next waiter', async () => {
    const sut = new ConcurrencyLimit(2);
    const first = await sut.acquire();
    await sut.acquire();
    let thirdIn = false;
    const third = sut.acquire().then((release) => {
      thirdIn = true;
      return release;
    });
    await Promise.resolve();
    expect(thirdIn).toBe(false);
    expect(sut.running).toBe(2);
    first();
    first(); // a second release of the same slot changes nothing
    await third;
    expect(thirdIn).toBe(true);
    expect(sut.running).toBe(2);
  });
});

describe(runWithTimeLimits.name, () => {
  const never = new AbortController().signal;

  it('returns the value of a task that finishes in time', async () => {
    const outcome = await runWithTimeLimits(
      () => Promise.resolve(42),
      { soft: 1, hard: 2 },
      never,
    );
    expect(outcome).toEqual({ kind: 'success', value: 42 });
  });

  it('aborts the signal at the soft limit with SoftTimeLimitExceeded', async () => {
    const outcome = await runWithTimeLimits(
      (signal) =>
        new Promise((resolve) =>
          signal.addEventListener('abort', () => resolve(signal.reason)),
        ),
      { soft: 0.01, hard: null },
      never,
    );
    expect(outcome.kind).toBe('success');
    expect((outcome as { value: unknown }).value).toBeInstanceOf(
      SoftTimeLimitExceeded,
    );
  });

  it('reports the abort reason when the task lets an AbortError escape', async () => {
    const outcome = await runWithTimeLimits(
      (signal) =>
        new Promise((_resolve, reject) =>
          signal.addEventListener('abort', () =>
            reject(Object.assign(new Error('aborted'), { name: 'AbortError' })),
          ),
        ),
      { soft: 0.01, hard: null },
      never,
    );
    expect(outcome.kind).toBe('failure');
    expect((outcome as { error: unknown }).error).toBeInstanceOf(
      SoftTimeLimitExceeded,
    );
  });

  it('gives up at the hard limit with TimeLimitExceeded', async () => {
    const outcome = await runWithTimeLimits(
      () => new Promise(() => undefined),
      { soft: null, hard: 0.01 },
      never,
    );
    expect(outcome.kind).toBe('timeout');
    expect((outcome as { error: unknown }).error).toBeInstanceOf(
      TimeLimitExceeded,
    );
  });

  it('aborts the task when the external signal aborts (shutdown)', async () => {
    const shutdown = new AbortController();
    const running = runWithTimeLimits(
      (signal) =>
        new Promise((resolve) =>
          signal.addEventListener('abort', () => resolve('stopped')),
        ),
      { soft: null, hard: null },
      shutdown.signal,
    );
    shutdown.abort();
    expect(await running).toEqual({ kind: 'success', value: 'stopped' });
  });
});
