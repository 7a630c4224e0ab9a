import { workerEnvironment } from './run-primary';

describe(workerEnvironment.name, () => {
  it('moves a per-process rate limit to Redis, one budget for every worker', () => {
    expect(workerEnvironment({})).toEqual({ API_RATE_LIMIT_STORE: 'redis' });
    expect(workerEnvironment({ API_RATE_LIMIT_STORE: 'memory' })).toEqual({
      API_RATE_LIMIT_STORE: 'redis',
    });
  });

  it('leaves the Redis store as it is', () => {
    expect(workerEnvironment({ API_RATE_LIMIT_STORE: 'redis' })).toEqual({});
  });
});
