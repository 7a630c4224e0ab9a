import type { MonitorWorker } from '../contract/monitor-views';

/** Celery's `HEARTBEAT_EXPIRE_WINDOW` (percent of `freq`). */
const HEARTBEAT_EXPIRE_WINDOW = 200;

/**
 * Slack on top of Celery's `freq * 2` (seconds), for the event's trip
 * through RabbitMQ and a busy event loop on either side.
 */
export const HEARTBEAT_SLACK_SECONDS = 1;

/** What the monitor knows about one worker, from its events (celery.events.state.Worker). */
export interface WorkerRecord {
  hostname: string;
  /** Arrival times (epoch s) of the last heartbeats, newest last; Celery keeps 4. */
  heartbeats: number[];
  freq: number;
  active: number;
  processed: number;
  loadavg: number[] | null;
  swIdent: string | null;
  swVer: string | null;
  swSys: string | null;
  pid: number | null;
}

export function emptyWorker(hostname: string): WorkerRecord {
  return {
    hostname,
    heartbeats: [],
    // Celery's default for a worker only seen through task events.
    freq: 60,
    active: 0,
    processed: 0,
    loadavg: null,
    swIdent: null,
    swVer: null,
    swSys: null,
    pid: null,
  };
}

function numberOr<T>(value: unknown, fallback: T): number | T {
  return typeof value === 'number' && Number.isFinite(value) ? value : fallback;
}

/**
 * Applies a `worker-*` event, or a task event (`kind` null) that only
 * proves the worker alive, as `celery.events.state.Worker.event` does:
 * offline clears the heartbeats, anything else records one.
 */
export function applyWorkerEvent(
  worker: WorkerRecord,
  kind: string | null,
  event: Record<string, unknown> & { local_received: number },
): void {
  if (kind !== null) {
    worker.freq = numberOr(event.freq, worker.freq);
    worker.active = numberOr(event.active, worker.active);
    worker.processed = numberOr(event.processed, worker.processed);
    worker.pid = numberOr(event.pid, worker.pid);
    if (Array.isArray(event.loadavg)) {
      worker.loadavg = event.loadavg.filter(
        (value): value is number => typeof value === 'number',
      );
    }
    if (typeof event.sw_ident === 'string') {
      worker.swIdent = event.sw_ident;
    }
    if (typeof event.sw_ver === 'string') {
      worker.swVer = event.sw_ver;
    }
    if (typeof event.sw_sys === 'string') {
      worker.swSys = event.sw_sys;
    }
  }
  if (kind === 'offline') {
    worker.heartbeats = [];
    return;
  }
  worker.heartbeats = [...worker.heartbeats, event.local_received].slice(-4);
}

/**
 * Celery's `Worker.alive`: a heartbeat arrived within `freq * 2` seconds
 * (plus {@link HEARTBEAT_SLACK_SECONDS}).
 *
 * @param now - epoch seconds
 */
export function isAlive(worker: WorkerRecord, now: number): boolean {
  const last = worker.heartbeats.at(-1);
  if (last === undefined) {
    return false;
  }
  const expires =
    last +
    worker.freq * (HEARTBEAT_EXPIRE_WINDOW / 100) +
    HEARTBEAT_SLACK_SECONDS;
  return now < expires;
}

export function presentWorker(
  worker: WorkerRecord,
  now: number,
): MonitorWorker {
  const last = worker.heartbeats.at(-1) ?? null;
  return {
    hostname: worker.hostname,
    online: isAlive(worker, now),
    lastHeartbeat: last,
    heartbeatAgeSeconds: last === null ? null : Math.max(0, now - last),
    active: worker.active,
    processed: worker.processed,
    loadavg: worker.loadavg,
    swIdent: worker.swIdent,
    swVer: worker.swVer,
    pid: worker.pid,
    freq: worker.heartbeats.length > 0 || worker.swIdent ? worker.freq : null,
  };
}
