import { Injectable } from '@nestjs/common';
import {
  THROUGHPUT_STATES,
  type MonitorStats,
  type StateCounts,
  type ThroughputBucket,
  type ThroughputState,
} from '../contract/monitor-views';

/** Width of one throughput bucket, seconds. */
export const BUCKET_SECONDS = 5;

/** How far back the throughput goes: 10 minutes. */
export const WINDOW_BUCKETS = 120;

/** Upper bounds (seconds) of the runtime histogram; the last also takes anything longer. */
export const RUNTIME_BUCKETS = [
  0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 1200,
];

/** The task events counted, by the state they lead to. */
const EVENT_STATES: Record<string, ThroughputState> = {
  'task-received': 'RECEIVED',
  'task-started': 'STARTED',
  'task-succeeded': 'SUCCESS',
  'task-failed': 'FAILURE',
  'task-retried': 'RETRY',
  'task-revoked': 'REVOKED',
};

function zeroCounts(): StateCounts {
  return Object.fromEntries(
    THROUGHPUT_STATES.map((state) => [state, 0]),
  ) as StateCounts;
}

/**
 * Task throughput in 5-second buckets over the last 10 minutes, and a
 * runtime histogram of finished tasks (non-cumulative counts, one per
 * bound in {@link RUNTIME_BUCKETS}; the last bucket also holds longer runs).
 */
@Injectable()
export class ThroughputStats {
  private readonly buckets = new Map<number, StateCounts>();
  private readonly runtimeCounts = RUNTIME_BUCKETS.map(() => 0);

  /** Counts one task event that happened at `at` (epoch seconds). */
  record(type: string, at: number, runtime?: unknown): void {
    const state = EVENT_STATES[type];
    if (!state) {
      return;
    }
    const start = Math.floor(at / BUCKET_SECONDS) * BUCKET_SECONDS;
    const counts = this.buckets.get(start) ?? zeroCounts();
    counts[state] += 1;
    this.buckets.set(start, counts);
    if (typeof runtime === 'number' && Number.isFinite(runtime)) {
      const index = RUNTIME_BUCKETS.findIndex((bound) => runtime <= bound);
      this.runtimeCounts[index === -1 ? RUNTIME_BUCKETS.length - 1 : index] +=
        1;
    }
    this.prune(at);
  }

  /** The window ending at `now` (epoch seconds), oldest bucket first, empty ones included. */
  snapshot(now = Date.now() / 1000): MonitorStats {
    this.prune(now);
    const last = Math.floor(now / BUCKET_SECONDS) * BUCKET_SECONDS;
    const throughput: ThroughputBucket[] = [];
    for (let index = WINDOW_BUCKETS - 1; index >= 0; index -= 1) {
      const t = last - index * BUCKET_SECONDS;
      throughput.push({
        t,
        bucketSeconds: BUCKET_SECONDS,
        counts: { ...(this.buckets.get(t) ?? zeroCounts()) },
      });
    }
    return {
      throughput,
      runtime: {
        bucketsSeconds: [...RUNTIME_BUCKETS],
        counts: [...this.runtimeCounts],
      },
    };
  }

  private prune(now: number): void {
    const oldest = now - WINDOW_BUCKETS * BUCKET_SECONDS;
    for (const start of this.buckets.keys()) {
      if (start < oldest) {
        this.buckets.delete(start);
      }
    }
  }
}
