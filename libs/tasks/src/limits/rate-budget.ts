import type { Redis } from 'ioredis';

/**
 * A rate budget shaped as GCRA (a token bucket of capacity 1, as Celery's
 * `TokenBucket`): each task takes the next start time on the budget's
 * timeline and moves it on by one interval (1 / rate). Reservations reach
 * at most `horizonMs` ahead, so a rate changed at runtime applies within
 * that horizon and a dead worker's unused reservations waste at most that.
 */
export interface RateBudget {
  /**
   * Takes a start time for one task of `name`.
   * @returns `reserved: true` and the milliseconds until its start, or
   *   `reserved: false` and when to ask again
   */
  reserve(name: string, intervalMs: number): Promise<Reservation>;
}

export interface Reservation {
  reserved: boolean;
  waitMs: number;
}

/** How far ahead reservations go: a few intervals, at least 1 s. */
export function horizonOf(intervalMs: number): number {
  return Math.max(1000, 2 * intervalMs);
}

/** GCRA step shared by both budgets (times in ms). */
export function gcraStep(
  theoreticalArrival: number,
  now: number,
  intervalMs: number,
): { reservation: Reservation; next: number | null } {
  const start = Math.max(theoreticalArrival, now);
  const wait = start - now;
  const horizon = horizonOf(intervalMs);
  if (wait > horizon) {
    return {
      reservation: { reserved: false, waitMs: wait - horizon },
      next: null,
    };
  }
  return {
    reservation: { reserved: true, waitMs: wait },
    next: start + intervalMs,
  };
}

/** Celery's behaviour (RATE_LIMIT_SCOPE=worker): one budget per worker. */
export class WorkerRateBudget implements RateBudget {
  private readonly timelines = new Map<string, number>();

  constructor(private readonly now: () => number = Date.now) {}

  reserve(name: string, intervalMs: number): Promise<Reservation> {
    const now = this.now();
    const step = gcraStep(this.timelines.get(name) ?? 0, now, intervalMs);
    if (step.next !== null) {
      this.timelines.set(name, step.next);
    }
    return Promise.resolve(step.reservation);
  }
}

// The same step in Redis, on Redis' clock so workers' clocks need not agree.
// The key expires once its timeline is in the past: nothing to clean up.
const RESERVE_SCRIPT = `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local interval = tonumber(ARGV[1])
local horizon = tonumber(ARGV[2])
local start = tonumber(redis.call('GET', KEYS[1]) or '0')
if start < now then start = now end
local wait = start - now
if wait > horizon then return {0, wait - horizon} end
redis.call('SET', KEYS[1], tostring(start + interval), 'PX', math.ceil(wait + interval + 1000))
return {1, wait}
`;

/** The default (RATE_LIMIT_SCOPE=cluster): one budget per task name in Redis. */
export class ClusterRateBudget implements RateBudget {
  constructor(
    private readonly redis: Redis,
    private readonly prefix = 'celeriac:rate-limit:',
  ) {}

  async reserve(name: string, intervalMs: number): Promise<Reservation> {
    const [reserved, waitMs] = (await this.redis.eval(
      RESERVE_SCRIPT,
      1,
      this.prefix + name,
      String(intervalMs),
      String(horizonOf(intervalMs)),
    )) as [number, number];
    return { reserved: reserved === 1, waitMs };
  }

  /** Seconds of budget already reserved ahead for `name` (0 when idle). */
  async backlogSeconds(name: string): Promise<number> {
    const [start, time] = await Promise.all([
      this.redis.get(this.prefix + name),
      this.redis.time(),
    ]);
    const now = Number(time[0]) * 1000 + Math.floor(Number(time[1]) / 1000);
    return start === null ? 0 : Math.max(0, Number(start) - now) / 1000;
  }
}
