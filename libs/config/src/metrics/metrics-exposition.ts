/**
 * What GET /metrics answers with. By default the app's own registry; an app
 * whose port is served by several processes (the api under API_PROCESSES)
 * gives one that sums them.
 */
export interface MetricsExposition {
  metrics(): Promise<string>;
}

/** Nest token of the app's {@link MetricsExposition}. */
export const METRICS_EXPOSITION = Symbol('celeriac.metricsExposition');
