import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ThrottlerModule } from '@nestjs/throttler';
import type { Redis } from 'ioredis';
import { BearerKeys, CeleriacConfig } from '@celeriac/config';
import { REDIS_CLIENT } from '@celeriac/results';
import { ApiKeyGuard } from './api-key.guard';

import { ApiThrottlerGuard } from './api-throttler.guard';
import { RedisThrottlerStorage } from './redis-throttler.storage';

/**
 * API keys and rate limiting for the api, as global guards. The throttler
 * runs first, so requests with no or wrong keys are limited too. Needs the
 * (global) CeleriacConfig and results Redis, i.e. `TaskSystemModule.forApp(...)`.
 */
@Module({
  imports: [
    ThrottlerModule.forRootAsync({
      inject: [CeleriacConfig, REDIS_CLIENT],
      useFactory: ({ api: { rateLimit } }: CeleriacConfig, redis: Redis) => ({
        // Unnamed: a named throttler suffixes its headers (Retry-After-name).
        // At least 1: with 0 (off) ApiThrottlerGuard skips every request.
        throttlers: [
          {
            limit: Math.max(rateLimit.limit, 1),
            ttl: Math.max(rateLimit.windowSeconds, 1) * 1000,
          },
        ],
        ...(rateLimit.store === 'redis'
          ? { storage: new RedisThrottlerStorage(redis) }
          : {}),
      }),
    }),
  ],
  providers: [
    {
      provide: BearerKeys,
      inject: [CeleriacConfig],
      useFactory: (config: CeleriacConfig) => new BearerKeys(config.api.keys),
    },
    { provide: APP_GUARD, useClass: ApiThrottlerGuard },
    { provide: APP_GUARD, useClass: ApiKeyGuard },
  ],
})
export class SecurityModule {}
