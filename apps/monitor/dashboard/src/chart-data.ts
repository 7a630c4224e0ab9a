import { formatClock, formatDuration } from './format';
import {
  THROUGHPUT_STATES,
  type MonitorStats,
  type ThroughputState,
} from '../../src/contract/monitor-views';

export interface ThroughputSeries {
  labels: string[];
  /** One count per bucket per state. */
  series: Record<ThroughputState, number[]>;
}

export function throughputSeries(
  throughput: MonitorStats['throughput'],
): ThroughputSeries {
  const buckets = [...throughput].sort((a, b) => a.t - b.t);
  const series = Object.fromEntries(
    THROUGHPUT_STATES.map((state) => [
      state,
      buckets.map((bucket) => bucket.counts[state]),
    ]),
  ) as Record<ThroughputState, number[]>;
  return { labels: buckets.map((bucket) => formatClock(bucket.t)), series };
}

export interface RuntimeSeries {
  labels: string[];
  counts: number[];
}

/**
 * The runtime histogram: one bar per upper bound (`≤ 2.00 s`), plus an
 * overflow bar (`> 60.00 s`) when the monitor sends one count more than
 * bounds.
 */
export function runtimeSeries(runtime: MonitorStats['runtime']): RuntimeSeries {
  const bounds = runtime.bucketsSeconds;
  const labels = bounds.map((bound) => `≤ ${formatDuration(bound)}`);
  if (runtime.counts.length > bounds.length && bounds.length > 0) {
    labels.push(`> ${formatDuration(bounds[bounds.length - 1])}`);
  }
  const counts = labels.map((_, index) => runtime.counts[index] ?? 0);
  return { labels, counts };
}
