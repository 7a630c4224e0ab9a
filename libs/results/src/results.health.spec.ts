import { randomUUID } from 'node:crypto';
import { Module } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { Test, type TestingModule } from '@nestjs/testing';
import type { Redis } from 'ioredis';
import { pollUntil } from '../../../test/utils/poll-until';
import { createRedisClient } from './redis-client.factory';
import { ResultRepository } from './result.repository';
import { REDIS_CLIENT } from './results.constants';
import { RedisHealthIndicator } from './results.health';
import { ResultsModule } from './results.module';

const OPTIONS_TOKEN = 'TEST:RESULTS_OPTIONS';

@Module({
  providers: [
    {
      provide: OPTIONS_TOKEN,
      useValue: { url: 'redis://127.0.0.1:6379/0', expiresSeconds: 60 },
    },
  ],
  exports: [OPTIONS_TOKEN],
})
class TestOptionsModule {}

describe(RedisHealthIndicator.name, () => {
  describe('through ResultsModule against the real Redis', () => {
    let moduleRef: TestingModule;
    let client: Redis;

    beforeAll(async () => {
      moduleRef = await Test.createTestingModule({
        imports: [
          ResultsModule.forRootAsync({
            imports: [TestOptionsModule],
            inject: [OPTIONS_TOKEN],
            useFactory: (options: { url: string; expiresSeconds: number }) =>
              options,
          }),
        ],
      }).compile();
      client = moduleRef.get<Redis>(REDIS_CLIENT);
    });

    afterAll(async () => {
      await moduleRef.close();
    });

    it('reports up', async () => {
      const sut = moduleRef.get(RedisHealthIndicator);
      await expect(sut.pingCheck('redis')).resolves.toEqual({
        redis: { status: 'up' },
      });
    });

    it('exports a working ResultRepository', async () => {
      const repository = moduleRef.get(ResultRepository);
      await expect(
        repository.getTaskMeta(`test-${randomUUID()}`),
      ).resolves.toBeNull();
    });

    it('quits the client on shutdown', async () => {
      const app = moduleRef.createNestApplication();
      await app.init();
      const appClient = app.get<Redis>(REDIS_CLIENT);
      await appClient.ping();
      await app.close();
      await expect(
        pollUntil(
          () => Promise.resolve(appClient.status),
          (status) => status === 'end',
        ),
      ).resolves.toBe('end');
      expect(client).toBe(appClient);
    });
  });

  describe('against a closed port', () => {
    let client: Redis;

    beforeAll(() => {
      client = createRedisClient('redis://127.0.0.1:1', {
        connectionName: `test-${randomUUID()}`,
      });
    });

    afterAll(() => {
      client.disconnect();
    });

    it('reports down with a message within the timeout', async () => {
      const sut = new RedisHealthIndicator(
        new HealthIndicatorService(),
        client,
      );
      const result = await sut.pingCheck('redis', { timeoutMs: 1000 });
      expect(result.redis.status).toBe('down');
      expect(result.redis).toHaveProperty('message', expect.any(String));
    });
  });
});

describe(createRedisClient.name, () => {
  it('takes the db index from the URL path', async () => {
    const client = createRedisClient('redis://127.0.0.1:6379/3');
    try {
      expect(client.options.db).toBe(3);
      await pollUntil(
        () => Promise.resolve(client.status),
        (status) => status === 'ready',
      );
      const info = await client.client('INFO');
      expect(String(info)).toContain(' db=3 ');
    } finally {
      await client.quit();
    }
  });

  it.each([
    ['a non-redis scheme', 'http://127.0.0.1:6379'],
    ['a db path that is not an index', 'redis://127.0.0.1:6379/zero'],
    ['no URL at all', '127.0.0.1:6379'],
  ])('rejects %s', (_label, url) => {
    expect(() => createRedisClient(url)).toThrow(Error);
  });
});
