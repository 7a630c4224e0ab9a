import { Inject, Injectable } from '@nestjs/common';
import {
  HealthIndicatorService,
  type HealthIndicatorResult,
} from '@nestjs/terminus';
import { Redis } from 'ioredis';
import { REDIS_CLIENT } from './results.constants';

/** Options of {@link RedisHealthIndicator.pingCheck}. */
export interface RedisPingCheckOptions {
  /** How long PING may take before the indicator reports down; 1000 by default. */
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 1000;

/**
 * Terminus indicator for the result backend: up when the shared client
 * answers PING within the timeout.
 *
 * @example
 * ```ts
 * this.health.check([() => this.redis.pingCheck('redis')]);
 * ```
 */
@Injectable()
export class RedisHealthIndicator {
  constructor(
    private readonly healthIndicatorService: HealthIndicatorService,
    @Inject(REDIS_CLIENT) private readonly redis: Redis,
  ) {}

  /**
   * Sends PING on the results client.
   *
   * @param key - the key of this indicator in the health report
   * @param options - timeout
   * @returns `{ [key]: { status: 'up' } }` or `{ [key]: { status: 'down', message } }`
   */
  async pingCheck<const Key extends string>(
    key: Key,
    options: RedisPingCheckOptions = {},
  ): Promise<HealthIndicatorResult<Key>> {
    const indicator = this.healthIndicatorService.check(key);
    try {
      await this.pingWithin(options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
      return indicator.up();
    } catch (error: unknown) {
      const message = error instanceof Error ? error.message : String(error);
      return indicator.down({ message });
    }
  }

  private async pingWithin(timeoutMs: number): Promise<void> {
    const ping = this.redis.ping();
    // The losing PING may still reject later; that must not become an unhandled rejection.
    ping.catch(() => undefined);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`Redis PING timed out after ${timeoutMs} ms`)),
        timeoutMs,
      );
    });
    try {
      const reply = await Promise.race([ping, timeout]);
      if (reply !== 'PONG') {
        throw new Error(`Unexpected PING reply ${String(reply)}`);
      }
    } finally {
      clearTimeout(timer);
    }
  }
}
