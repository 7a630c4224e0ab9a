/**
 * The monitor ↔ dashboard contract: Flower's task dict (timestamps in Unix
 * seconds, args/kwargs/result as the repr strings events carry) and the
 * celeriac `/api/monitor/*` extensions.
 */

/** Celery's states, plus celeriac's PROGRESS (a custom state, as in Celery). */
export const TASK_STATES = [
  'PENDING',
  'RECEIVED',
  'STARTED',
  'PROGRESS',
  'RETRY',
  'SUCCESS',
  'FAILURE',
  'REVOKED',
  'REJECTED',
] as const;

export type KnownTaskState = (typeof TASK_STATES)[number];

export interface TaskProgress {
  current: number;
  total: number;
}

export interface FlowerTask {
  uuid: string;
  name: string | null;
  state: string;
  received: number | null;
  sent: number | null;
  started: number | null;
  rejected: number | null;
  succeeded: number | null;
  failed: number | null;
  retried: number | null;
  revoked: number | null;
  args: string | null;
  kwargs: string | null;
  eta: string | null;
  expires: string | null;
  retries: number | null;
  result: string | null;
  exception: string | null;
  timestamp: number | null;
  runtime: number | null;
  traceback: string | null;
  exchange: string | null;
  routing_key: string | null;
  clock: number | null;
  client: string | null;
  root_id: string | null;
  parent_id: string | null;
  children: string[] | null;
  worker: string | null;
  progress?: TaskProgress | null;
}

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

export interface MonitorQueue {
  name: string;
  messages: number;
  consumers: number;
  publishRate: number | null;
  deliverRate: number | null;
}

export type ThroughputState =
  'SUCCESS' | 'FAILURE' | 'RETRY' | 'REVOKED' | 'STARTED' | 'RECEIVED';

export interface ThroughputBucket {
  t: number;
  bucketSeconds: number;
  counts: Partial<Record<ThroughputState, number>>;
}

export interface MonitorStats {
  throughput: ThroughputBucket[];
  runtime: { bucketsSeconds: number[]; counts: number[] };
}
