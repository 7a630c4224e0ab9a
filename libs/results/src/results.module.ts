import {
  Global,
  Inject,
  Module,
  type OnApplicationShutdown,
  type OnModuleInit,
  type Provider,
} from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { Redis } from 'ioredis';
import { ChordRepository } from './chord.repository';
import { ResultWaiter } from './result-waiter';
import { createRedisClient, settleConnection } from './redis-client.factory';
import {
  ResultRepository,
  type ResultRepositoryOptions,
} from './result.repository';
import { REDIS_CLIENT } from './results.constants';
import { RedisHealthIndicator } from './results.health';
import { RevokedRepository } from './revoked.repository';
import {
  ConfigurableResultsModule,
  RESULTS_MODULE_OPTIONS,
  type ResultsModuleOptions,
} from './results.module-definition';

const FIRST_CONNECT_WAIT_MS = 2000;

/** A class built on the results client with the module's expiry and prefix. */
type RedisRepositoryClass = new (
  redis: Redis,
  options: ResultRepositoryOptions,
) => object;

function onResultsRedis(repository: RedisRepositoryClass): Provider {
  return {
    provide: repository,
    inject: [REDIS_CLIENT, RESULTS_MODULE_OPTIONS],
    useFactory: (redis: Redis, options: ResultsModuleOptions) =>
      new repository(redis, {
        expiresSeconds: options.expiresSeconds,
        keyPrefix: options.keyPrefix,
        replicaWait: options.replicaWait,
      }),
  };
}

/**
 * The Redis result backend: one ioredis client (`REDIS_CLIENT`), the
 * {@link ResultRepository}, {@link ChordRepository} and
 * {@link RevokedRepository} over it and a {@link RedisHealthIndicator}.
 *
 * @example
 * ```ts
 * ResultsModule.forRootAsync({
 *   inject: [ConfigService],
 *   useFactory: (config: ConfigService) => ({
 *     url: config.getOrThrow('results.url'),
 *     expiresSeconds: config.getOrThrow('results.expiresSeconds'),
 *   }),
 * });
 * ```
 */
@Global()
@Module({
  providers: [
    {
      provide: REDIS_CLIENT,
      inject: [RESULTS_MODULE_OPTIONS],
      useFactory: (options: ResultsModuleOptions): Redis =>
        createRedisClient(options, {
          connectionName: 'celeriac-results',
          failFast: options.failFast,
        }),
    },
    onResultsRedis(ResultRepository),
    {
      provide: ResultWaiter,
      inject: [REDIS_CLIENT, RESULTS_MODULE_OPTIONS],
      useFactory: (redis: Redis, options: ResultsModuleOptions) =>
        new ResultWaiter(redis, { keyPrefix: options.keyPrefix }),
    },
    onResultsRedis(ChordRepository),
    onResultsRedis(RevokedRepository),
    // Provided here so importers need not import TerminusModule; the service has no dependencies.
    HealthIndicatorService,
    RedisHealthIndicator,
  ],
  exports: [
    ResultRepository,
    ChordRepository,
    RevokedRepository,
    ResultWaiter,
    RedisHealthIndicator,
    REDIS_CLIENT,
  ],
})
export class ResultsModule
  extends ConfigurableResultsModule
  implements OnModuleInit, OnApplicationShutdown
{
  constructor(
    @Inject(REDIS_CLIENT) private readonly redis: Redis,
    @Inject(RESULTS_MODULE_OPTIONS)
    private readonly options: ResultsModuleOptions,
  ) {
    super();
  }

  // A fail-fast client refuses commands until it first connects; give it
  // that moment so the first request after start-up finds it ready.
  async onModuleInit(): Promise<void> {
    if (this.options.failFast) {
      await settleConnection(this.redis, FIRST_CONNECT_WAIT_MS);
    }
  }

  /** Closes the client: QUIT when connected, else drop the socket and stop reconnecting. */
  async onApplicationShutdown(): Promise<void> {
    if (this.redis.status !== 'ready') {
      this.redis.disconnect();
      return;
    }
    try {
      await this.redis.quit();
    } catch {
      this.redis.disconnect();
    }
  }
}
