import { jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { createServer } from 'node:net';
import { ReplyError, type Redis } from 'ioredis';
import { storeProgressBestEffort } from './progress-store';
import { createRedisClient } from './redis-client.factory';
import { ResultRepository } from './result.repository';

/** A port on 127.0.0.1 nothing listens on: Redis is down. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as { port: number };
  await new Promise((done) => server.close(done));
  return port;
}

/** A repository whose every write fails with `error`. */
const failingWith = (error: Error) => ({
  storeResult: () => Promise.reject(error),
});

describe('storeProgressBestEffort (a running task reports progress)', () => {
  let warn: ReturnType<typeof jest.spyOn>;

  beforeEach(() => {
    warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => {});
  });

  afterEach(() => {
    warn.mockRestore();
  });

  it('stores PROGRESS with the meta and the extended fields', async () => {
    const calls: unknown[][] = [];
    const results = {
      storeResult: (...args: unknown[]) => {
        calls.push(args);
        return Promise.resolve(true);
      },
    };
    await expect(
      storeProgressBestEffort(results, 'id-1', { current: 3 }, { worker: 'w' }),
    ).resolves.toBe(true);
    expect(calls).toEqual([
      ['id-1', 'PROGRESS', { current: 3 }, { worker: 'w' }],
    ]);
    expect(warn).not.toHaveBeenCalled();
  });

  describe('with the worker’s Redis client and Redis down', () => {
    let redis: Redis;
    let results: ResultRepository;

    beforeAll(async () => {
      redis = createRedisClient(`redis://127.0.0.1:${await closedPort()}/0`);
      results = new ResultRepository(redis, { expiresSeconds: 60 });
    });

    afterAll(() => {
      redis.disconnect();
    });

    it('drops the write with a warning instead of failing the task', async () => {
      // The write itself fails: this is what used to fail the task.
      await expect(
        results.storeResult('id-2', 'PROGRESS', { current: 1 }),
      ).rejects.toThrow();
      await expect(
        storeProgressBestEffort(results, 'id-2', { current: 2 }),
      ).resolves.toBe(false);
      expect(warn).toHaveBeenCalledWith(
        expect.objectContaining({
          msg: 'progress not stored: Redis unavailable; dropped, the task goes on',
          taskId: 'id-2',
        }),
      );
    });

    it('still throws for meta that cannot be stored at all', async () => {
      const circular: Record<string, unknown> = {};
      circular.self = circular;
      await expect(
        storeProgressBestEffort(results, 'id-3', circular),
      ).rejects.toThrow(TypeError);
      // (The client may still log its own reconnects.)
      expect(warn).not.toHaveBeenCalledWith(
        expect.objectContaining({ taskId: 'id-3' }),
      );
    });
  });

  it.each([
    "READONLY You can't write against a read only replica.",
    'LOADING Redis is loading the dataset in memory',
    "MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.",
  ])('drops the write when a node mid-switch answers %s', async (reply) => {
    await expect(
      storeProgressBestEffort(failingWith(new ReplyError(reply)), 'id-4', {}),
    ).resolves.toBe(false);
    expect(warn).toHaveBeenCalledTimes(1);
  });

  it('passes on an error reply that is not an outage', async () => {
    const error = new ReplyError('ERR Error running script');
    await expect(
      storeProgressBestEffort(failingWith(error), 'id-5', {}),
    ).rejects.toBe(error);
    expect(warn).not.toHaveBeenCalled();
  });
});
