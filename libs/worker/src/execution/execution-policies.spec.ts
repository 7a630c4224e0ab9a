import { SoftTimeLimitExceeded, TimeLimitExceeded } from '@celeriac/tasks';
import { ConcurrencyLimit } from './concurrency-limit';
import { retryCountdown } from './retry-policy';
import { type RunHandle, runWithTimeLimits } from './time-limits';

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

  it('hands out a free slot at once, and none when full', () => {
    const sut = new ConcurrencyLimit(1);
    const release = sut.tryAcquire();
    expect(release).toBeInstanceOf(Function);
    expect(sut.tryAcquire()).toBeNull();
    release?.();
    expect(sut.running).toBe(0);
    expect(sut.tryAcquire()).toBeInstanceOf(Function);
  });
});

describe(runWithTimeLimits.name, () => {
  it('returns the value of a task that finishes in time', async () => {
    const outcome = await runWithTimeLimits(() => Promise.resolve(42), {
      soft: 1,
      hard: 2,
    });
    expect(outcome).toEqual({ kind: 'success', value: 42 });
  });

  it('reports a task that throws before its promise as a failure', async () => {
    const error = new Error('at once');
    const outcome = await runWithTimeLimits(
      () => {
        throw error;
      },
      { soft: null, hard: null },
    );
    expect(outcome).toEqual({ kind: 'failure', error });
  });

  it('aborts the signal at the soft limit with SoftTimeLimitExceeded', async () => {
    const outcome = await runWithTimeLimits(
      ({ signal }) =>
        new Promise((resolve) =>
          signal.addEventListener('abort', () => resolve(signal.reason)),
        ),
      { soft: 0.01, hard: null },
    );
    expect(outcome.kind).toBe('success');
    expect((outcome as { value: unknown }).value).toBeInstanceOf(
      SoftTimeLimitExceeded,
    );
  });

  it('hands an already aborted signal to a task that reads it late', async () => {
    const outcome = await runWithTimeLimits(
      (run) =>
        new Promise((resolve) =>
          setTimeout(() => resolve(run.signal.reason), 30),
        ),
      { soft: 0.005, hard: null },
    );
    expect((outcome as { value: unknown }).value).toBeInstanceOf(
      SoftTimeLimitExceeded,
    );
  });

  it('reports the abort reason when the task lets an AbortError escape', async () => {
    const outcome = await runWithTimeLimits(
      ({ signal }) =>
        new Promise((_resolve, reject) =>
          signal.addEventListener('abort', () =>
            reject(Object.assign(new Error('aborted'), { name: 'AbortError' })),
          ),
        ),
      { soft: 0.01, hard: null },
    );
    expect(outcome.kind).toBe('failure');
    expect((outcome as { error: unknown }).error).toBeInstanceOf(
      SoftTimeLimitExceeded,
    );
  });

  it('gives up at the hard limit with TimeLimitExceeded', async () => {
    const outcome = await runWithTimeLimits(
      () => new Promise(() => undefined),
      {
        soft: null,
        hard: 0.01,
      },
    );
    expect(outcome.kind).toBe('timeout');
    expect((outcome as { error: unknown }).error).toBeInstanceOf(
      TimeLimitExceeded,
    );
  });

  it('aborts the signal through its handle (shutdown) and lets the task finish', async () => {
    let handle: RunHandle | undefined;
    const running = runWithTimeLimits(
      ({ signal }) =>
        new Promise((resolve) =>
          signal.addEventListener('abort', () => resolve(signal.reason)),
        ),
      { soft: null, hard: null },
      (started) => (handle = started),
    );
    handle?.abort('shutting down');
    expect(await running).toEqual({ kind: 'success', value: 'shutting down' });
  });

  it('ends the run at once when terminated, its signal aborted', async () => {
    let handle: RunHandle | undefined;
    let seen: unknown;
    const running = runWithTimeLimits(
      ({ signal }) => {
        signal.addEventListener('abort', () => {
          seen = signal.reason as unknown;
        });
        return new Promise(() => undefined);
      },
      { soft: null, hard: null },
      (started) => (handle = started),
    );
    handle?.terminate('revoked');
    expect(await running).toEqual({ kind: 'terminated' });
    expect(seen).toBe('revoked');
  });
});
