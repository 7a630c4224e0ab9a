import type { ThrottlerStorage } from '@nestjs/throttler';
import type { Redis } from 'ioredis';
import { createHash } from 'node:crypto';

// The package's index does not export its record interface.
type ThrottlerStorageRecord = Awaited<
  ReturnType<ThrottlerStorage['increment']>
>;

/** Where the shared counters live: `<prefix><sha256 of the throttler key>`. */
export const RATE_LIMIT_KEY_PREFIX = 'celeriac:ratelimit:';

// One window per key: the first hit starts it, the hit past the limit blocks
// the key for the block duration. Atomic, so replicas count as one.
// Returns {hits, window ms left, blocked 0/1, block ms left}.
const INCREMENT = `
local blocked = redis.call('PTTL', KEYS[2])
if blocked > 0 then
  local hits = tonumber(redis.call('GET', KEYS[1]) or '0')
  return {hits, math.max(redis.call('PTTL', KEYS[1]), 0), 1, blocked}
end
local hits = redis.call('INCR', KEYS[1])
if hits == 1 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
end
local left = math.max(redis.call('PTTL', KEYS[1]), 0)
if hits > tonumber(ARGV[2]) then
  local block = tonumber(ARGV[3])
  if block > 0 then
    redis.call('SET', KEYS[2], '1', 'PX', block)
    return {hits, left, 1, block}
  end
  return {hits, left, 1, left}
end
return {hits, left, 0, 0}
`;

/**
 * @nestjs/throttler's storage in Redis (API_RATE_LIMIT_STORE=redis), so
 * every api replica spends one budget per client. Written here because the
 * maintained Redis storage for the throttler does not declare Nest 12 yet.
 * Key names carry a hash of the throttler key: API keys never appear in Redis.
 */
export class RedisThrottlerStorage implements ThrottlerStorage {
  constructor(private readonly redis: Redis) {}

  async increment(
    key: string,
    ttl: number,
    limit: number,
    blockDuration: number,
    throttlerName: string,
  ): Promise<ThrottlerStorageRecord> {
    const hashed = createHash('sha256')
      .update(`${throttlerName}\0${key}`)
      .digest('hex');
    const counter = `${RATE_LIMIT_KEY_PREFIX}${hashed}`;
    const reply = (await this.redis.eval(
      INCREMENT,
      2,
      counter,
      `${counter}:blocked`,
      Math.max(Math.round(ttl), 1),
      limit,
      Math.max(Math.round(blockDuration), 0),
    )) as [number, number, number, number];
    const [totalHits, windowMs, blocked, blockMs] = reply;
    return {
      totalHits,
      timeToExpire: Math.ceil(windowMs / 1000),
      isBlocked: blocked === 1,
      timeToBlockExpire: Math.ceil(blockMs / 1000),
    };
  }
}
