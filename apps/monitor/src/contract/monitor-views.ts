/**
 * The bodies of celeriac's `/api/monitor/*` extensions (camelCase JSON), as
 * the monitor sends them and the dashboard reads them. Pure: the dashboard
 * bundles it too.
 */

/** `GET /api/monitor/workers` (and the SSE `worker` event), per worker. */
export interface MonitorWorker {
  hostname: string;
  online: boolean;
  lastHeartbeat: number | null;
  heartbeatAgeSeconds: number | null;
  active: number;
  processed: number;
  loadavg: number[] | null;
  swIdent: string | null;
  swVer: string | null;
  pid: number | null;
  freq: number | null;
}

/** `GET /api/monitor/queues` (and the SSE `queues` event), per queue. */
export interface MonitorQueue {
  name: string;
  messages: number;
  consumers: number;
  publishRate: number | null;
  deliverRate: number | null;
}

/** The states the throughput counts, finished ones first (charts stack them in this order). */
export const THROUGHPUT_STATES = [
  'SUCCESS',
  'FAILURE',
  'RETRY',
  'REVOKED',
  'STARTED',
  'RECEIVED',
] as const;

export type ThroughputState = (typeof THROUGHPUT_STATES)[number];

export type StateCounts = Record<ThroughputState, number>;

export interface ThroughputBucket {
  /** Start of the bucket, Unix seconds. */
  t: number;
  bucketSeconds: number;
  counts: StateCounts;
}

/** `GET /api/monitor/stats`. */
export interface MonitorStats {
  throughput: ThroughputBucket[];
  /** One count per upper bound; the last bucket also takes longer runs. */
  runtime: { bucketsSeconds: number[]; counts: number[] };
}

/** `GET /api/monitor/config`: what the dashboard may offer. */
export interface MonitorClientConfig {
  /** MONITOR_READ_ONLY: every control answers 403. */
  readOnly: boolean;
  /**
   * Whether a control (revoke, retry, …) can succeed at all: false when
   * read-only, or when no credentials are configured and
   * MONITOR_UNAUTHENTICATED_API is not set.
   */
  controls: boolean;
  /** The schemes the monitor accepts; empty = no credentials configured. */
  authentication: ('basic' | 'bearer')[];
}
