import { Redis } from 'ioredis';
import { ResultBackendUnavailableError } from './errors/result-backend-unavailable.error';
import { replicaWaitOf, waitForReplicas } from './replica-wait';

describe('replica wait', () => {
  // The shared Redis has no replica: WAIT 1 times out with 0.
  let redis: Redis;

  beforeAll(() => {
    redis = new Redis({ host: '127.0.0.1', port: 6379 });
  });

  afterAll(async () => {
    await redis.quit();
  });

  it('is off without replicas to wait for', () => {
    expect(replicaWaitOf(0, 1000)).toBeUndefined();
    expect(replicaWaitOf(2, 300)).toEqual({ replicas: 2, timeoutMs: 300 });
  });

  it('refuses (so the task is not acked) when too few replicas acknowledge in time', async () => {
    const started = Date.now();
    await expect(
      waitForReplicas(redis, { replicas: 1, timeoutMs: 100 }),
    ).rejects.toThrow(
      new ResultBackendUnavailableError(
        '0 of 1 Redis replicas acknowledged the result within 100 ms',
      ),
    );
    // Redis waited for the timeout rather than answering at once.
    expect(Date.now() - started).toBeGreaterThanOrEqual(90);
  });
});
