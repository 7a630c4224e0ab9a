import type { MetricObjectWithValues, MetricValue } from 'prom-client';

/**
 * The IPC messages by which one api worker's GET /metrics shows the whole
 * api: the worker asks the primary (REQUEST), the primary asks every
 * listening worker for its registry (GATHER), each answers with it as JSON
 * (PART), and the primary sends the asker the sum as Prometheus text (REPLY).
 */
export const METRICS_REQUEST = 'celeriac:metrics-request';
export const METRICS_GATHER = 'celeriac:metrics-gather';
export const METRICS_PART = 'celeriac:metrics-part';
export const METRICS_REPLY = 'celeriac:metrics-reply';

/** One registry's metrics, as `Registry.getMetricsAsJSON()` gives them. */
export type MetricsJson = MetricObjectWithValues<MetricValue<string>>[];

export type MetricsMessage =
  | { type: typeof METRICS_REQUEST; id: number }
  | { type: typeof METRICS_GATHER; id: number }
  | { type: typeof METRICS_PART; id: number; metrics: MetricsJson }
  | { type: typeof METRICS_REPLY; id: number; text?: string; error?: string };

const TYPES: ReadonlySet<unknown> = new Set([
  METRICS_REQUEST,
  METRICS_GATHER,
  METRICS_PART,
  METRICS_REPLY,
]);

/** Whether an IPC message is one of these (others belong to node:cluster or prom-client). */
export function isMetricsMessage(message: unknown): message is MetricsMessage {
  return (
    typeof message === 'object' &&
    message !== null &&
    TYPES.has((message as { type?: unknown }).type) &&
    typeof (message as { id?: unknown }).id === 'number'
  );
}
