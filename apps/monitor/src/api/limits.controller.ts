import { Controller, Get } from '@nestjs/common';
import { ControlClient } from '@celeriac/broker';
import {
  type ConcurrencyKeyStats,
  type RateLimitStats,
  TaskAdmission,
} from '@celeriac/tasks';

/** A limited task: its rate and, per worker, what waits for it. */
export interface MonitorRateLimit {
  task: string;
  rate: string;
  waiting: number;
  throttled: number;
  workers: Record<string, RateLimitStats>;
}

/** A concurrency key: cluster-wide running and waiting, and per worker. */
export interface MonitorConcurrencyKey {
  key: string;
  limit: number;
  running: number;
  waiting: number;
  workers: Record<string, ConcurrencyKeyStats>;
}

export interface MonitorLimits {
  rateLimits: MonitorRateLimit[];
  concurrencyKeys: MonitorConcurrencyKey[];
}

interface WorkerLimits {
  rate_limits?: Record<string, RateLimitStats>;
  concurrency_keys?: Record<string, ConcurrencyKeyStats>;
}

const STATS_TIMEOUT_SECONDS = 1;

/**
 * `GET /api/monitor/limits`: the rate-limited tasks and the busy
 * concurrency keys, from the workers' `stats` (their `limits` entry) and,
 * for the keys, the cluster-wide counts in Redis.
 */
@Controller('api/monitor')
export class LimitsController {
  constructor(
    private readonly control: ControlClient,
    private readonly admission: TaskAdmission,
  ) {}

  @Get('limits')
  async limits(): Promise<MonitorLimits> {
    const replies = await this.control.broadcast('stats', {
      reply: true,
      timeout: STATS_TIMEOUT_SECONDS,
    });
    const rates = new Map<string, MonitorRateLimit>();
    const keys = new Map<string, MonitorConcurrencyKey>();
    for (const reply of replies) {
      for (const [hostname, answer] of Object.entries(reply)) {
        const limits = (answer as { limits?: WorkerLimits } | null)?.limits;
        for (const [task, stats] of Object.entries(limits?.rate_limits ?? {})) {
          const entry = rates.get(task) ?? {
            task,
            rate: stats.rate,
            waiting: 0,
            throttled: 0,
            workers: {},
          };
          entry.waiting += stats.waiting;
          entry.throttled += stats.throttled;
          entry.workers[hostname] = stats;
          rates.set(task, entry);
        }
        for (const [key, stats] of Object.entries(
          limits?.concurrency_keys ?? {},
        )) {
          const entry = keys.get(key) ?? {
            key,
            limit: stats.limit,
            running: 0,
            waiting: 0,
            workers: {},
          };
          entry.workers[hostname] = stats;
          keys.set(key, entry);
        }
      }
    }
    await Promise.all(
      [...keys.values()].map(async (entry) => {
        Object.assign(entry, await this.admission.countKey(entry.key));
      }),
    );
    return {
      rateLimits: [...rates.values()].sort((a, b) =>
        a.task.localeCompare(b.task),
      ),
      concurrencyKeys: [...keys.values()].sort((a, b) =>
        a.key.localeCompare(b.key),
      ),
    };
  }
}
