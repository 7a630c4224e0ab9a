import type { Redis } from 'ioredis';

/**
 * Redis side of concurrency keys. Per key: `leases` (hash task id → owner)
 * counts what runs, `waiting` (sorted set by arrival time) and `waiters`
 * (hash task id → owner) keep the queue. An owner is one worker process;
 * it is alive while its heartbeat key exists, and every lease or waiting
 * entry of a dead owner is dropped the next time any worker looks at the
 * key: a killed worker's slots return within the lease timeout.
 */
export interface LeaseKeys {
  leases: string;
  waiting: string;
  waiters: string;
}

// KEYS: leases, waiting, waiters. ARGV: owner, limit, owner key prefix,
// then task ids joining the queue. Returns the ids of this owner admitted
// now. The first `limit - running` queue entries are the ones that may
// run: entries of other live owners keep their place (arrival order), so
// this owner admits its own only when they are among them.
const ACQUIRE_SCRIPT = `
local owner = ARGV[1]
local limit = tonumber(ARGV[2])
local prefix = ARGV[3]
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000000 + tonumber(time[2])
for i = 4, #ARGV do
  redis.call('ZADD', KEYS[2], 'NX', now, ARGV[i])
  redis.call('HSET', KEYS[3], ARGV[i], owner)
end
local leases = redis.call('HGETALL', KEYS[1])
local running = 0
for i = 1, #leases, 2 do
  if redis.call('EXISTS', prefix .. leases[i + 1]) == 1 then
    running = running + 1
  else
    redis.call('HDEL', KEYS[1], leases[i])
  end
end
local free = limit - running
local admitted = {}
local index = 0
while free > 0 do
  local head = redis.call('ZRANGE', KEYS[2], index, index)[1]
  if not head then break end
  local holder = redis.call('HGET', KEYS[3], head)
  if not holder or redis.call('EXISTS', prefix .. holder) == 0 then
    redis.call('ZREM', KEYS[2], head)
    redis.call('HDEL', KEYS[3], head)
  elseif holder == owner then
    redis.call('ZREM', KEYS[2], head)
    redis.call('HDEL', KEYS[3], head)
    redis.call('HSET', KEYS[1], head, owner)
    admitted[#admitted + 1] = head
    free = free - 1
  else
    index = index + 1
    free = free - 1
  end
end
return admitted
`;

// KEYS: leases, waiting, waiters. ARGV: task id.
const RELEASE_SCRIPT = `
redis.call('HDEL', KEYS[1], ARGV[1])
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('HDEL', KEYS[3], ARGV[1])
return 1
`;

const COUNT_SCRIPT = `
return {redis.call('HLEN', KEYS[1]), redis.call('ZCARD', KEYS[2])}
`;

export class ConcurrencyLeases {
  private readonly ownerPrefix: string;

  constructor(
    private readonly redis: Redis,
    /** This worker process (unique per start: a restart is a new owner). */
    readonly owner: string,
    private readonly leaseTimeoutMs: number,
    private readonly prefix = 'celeriac:concurrency:',
  ) {
    this.ownerPrefix = `${prefix}owner:`;
  }

  keysOf(key: string): LeaseKeys {
    const base = `${this.prefix}key:{${key}}`;
    return {
      leases: `${base}:leases`,
      waiting: `${base}:waiting`,
      waiters: `${base}:waiters`,
    };
  }

  /** Keeps this owner's leases and queue places alive for one more timeout. */
  async heartbeat(): Promise<void> {
    await this.redis.set(
      this.ownerPrefix + this.owner,
      '1',
      'PX',
      this.leaseTimeoutMs,
    );
  }

  /** Gives every lease and place of this owner up at once (clean shutdown). */
  async retire(): Promise<void> {
    await this.redis.del(this.ownerPrefix + this.owner);
  }

  /**
   * Queues `joining` (in arrival order) and admits what may run now.
   * @returns the task ids of this owner that now hold a lease
   */
  async acquire(
    key: string,
    limit: number,
    joining: readonly string[],
  ): Promise<string[]> {
    const keys = this.keysOf(key);
    return (await this.redis.eval(
      ACQUIRE_SCRIPT,
      3,
      keys.leases,
      keys.waiting,
      keys.waiters,
      this.owner,
      String(limit),
      this.ownerPrefix,
      ...joining,
    )) as string[];
  }

  /** Ends a lease, or leaves the queue. */
  async release(key: string, taskId: string): Promise<void> {
    const keys = this.keysOf(key);
    await this.redis.eval(
      RELEASE_SCRIPT,
      3,
      keys.leases,
      keys.waiting,
      keys.waiters,
      taskId,
    );
  }

  /** Running and waiting tasks of `key`, cluster-wide (dead owners included until pruned). */
  async count(key: string): Promise<{ running: number; waiting: number }> {
    const keys = this.keysOf(key);
    const [running, waiting] = (await this.redis.eval(
      COUNT_SCRIPT,
      2,
      keys.leases,
      keys.waiting,
    )) as [number, number];
    return { running, waiting };
  }
}
