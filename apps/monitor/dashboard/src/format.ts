import {
  isReadyState,
  type TaskProgress,
} from '../../src/contract/flower-task';

/** How a state reads and which colour family (a CSS class) it gets. */
export interface StateLook {
  label: string;
  tone:
    | 'pending'
    | 'active'
    | 'progress'
    | 'success'
    | 'failure'
    | 'warning'
    | 'revoked';
}

const LOOKS: Record<string, StateLook> = {
  PENDING: { label: 'Pending', tone: 'pending' },
  RECEIVED: { label: 'Received', tone: 'pending' },
  STARTED: { label: 'Started', tone: 'active' },
  PROGRESS: { label: 'Progress', tone: 'progress' },
  RETRY: { label: 'Retry', tone: 'warning' },
  SUCCESS: { label: 'Success', tone: 'success' },
  FAILURE: { label: 'Failure', tone: 'failure' },
  REVOKED: { label: 'Revoked', tone: 'revoked' },
  REJECTED: { label: 'Rejected', tone: 'failure' },
};

/** A custom state (any string a task may write) still gets a readable look. */
export function stateLook(state: string): StateLook {
  return LOOKS[state] ?? { label: state, tone: 'pending' };
}

/** Retry is offered only for tasks that ended without a result. */
export function canRetry(state: string): boolean {
  return state === 'FAILURE' || state === 'REVOKED';
}

/** Revoke and terminate make sense until the task is done. */
export function canRevoke(state: string): boolean {
  return !isReadyState(state) && state !== 'REJECTED';
}

/** 0..100, rounded; null when the meta is not a usable {current, total}. */
export function progressPercent(
  progress: TaskProgress | null | undefined,
): number | null {
  if (
    !progress ||
    !Number.isFinite(progress.current) ||
    !Number.isFinite(progress.total) ||
    progress.total <= 0
  ) {
    return null;
  }
  const ratio = progress.current / progress.total;
  return Math.round(Math.min(1, Math.max(0, ratio)) * 100);
}

const pad = (n: number) => String(n).padStart(2, '0');

/** Unix seconds → `HH:MM:SS` in the browser's time zone; `—` when unknown. */
export function formatClock(unixSeconds: number | null | undefined): string {
  if (unixSeconds === null || unixSeconds === undefined) {
    return '—';
  }
  const date = new Date(unixSeconds * 1000);
  return `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
}

/** Unix seconds → `YYYY-MM-DD HH:MM:SS.mmm`, for the detail view. */
export function formatTimestamp(
  unixSeconds: number | null | undefined,
): string {
  if (unixSeconds === null || unixSeconds === undefined) {
    return '—';
  }
  const date = new Date(unixSeconds * 1000);
  const ms = String(date.getMilliseconds()).padStart(3, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${formatClock(unixSeconds)}.${ms}`;
}

/** A runtime: `850 ms`, `2.35 s`, `3m 05s`, `2h 04m`. */
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) {
    return '—';
  }
  if (seconds < 0) {
    return '0 ms';
  }
  if (seconds < 1) {
    return `${Math.round(seconds * 1000)} ms`;
  }
  if (seconds < 60) {
    return `${seconds.toFixed(2)} s`;
  }
  const whole = Math.round(seconds);
  if (whole < 3600) {
    return `${Math.floor(whole / 60)}m ${pad(whole % 60)}s`;
  }
  return `${Math.floor(whole / 3600)}h ${pad(Math.floor((whole % 3600) / 60))}m`;
}

/** How long ago: `now`, `12s ago`, `4m ago`, `3h ago`, `2d ago`. */
export function formatAge(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) {
    return '—';
  }
  const s = Math.max(0, Math.floor(seconds));
  if (s < 1) {
    return 'now';
  }
  if (s < 60) {
    return `${s}s ago`;
  }
  if (s < 3600) {
    return `${Math.floor(s / 60)}m ago`;
  }
  if (s < 86400) {
    return `${Math.floor(s / 3600)}h ago`;
  }
  return `${Math.floor(s / 86400)}d ago`;
}

/** A messages/s rate: `—` until the monitor has two samples. */
export function formatRate(rate: number | null | undefined): string {
  if (rate === null || rate === undefined || !Number.isFinite(rate)) {
    return '—';
  }
  return rate < 10 ? `${rate.toFixed(1)}/s` : `${Math.round(rate)}/s`;
}

/** Load averages as Flower prints them: `0.52 0.48 0.40`. */
export function formatLoad(loadavg: number[] | null | undefined): string {
  return loadavg && loadavg.length > 0
    ? loadavg.map((n) => n.toFixed(2)).join(' ')
    : '—';
}

/** A task id shortened for dense tables; the full id stays in the title. */
export function shortId(id: string): string {
  return id.length > 13 ? `${id.slice(0, 8)}…` : id;
}

/**
 * A heartbeat is late past 1.5 × the worker's interval (Celery calls the
 * worker offline past 2 ×): a warning before it drops.
 */
export function isHeartbeatLate(
  ageSeconds: number | null,
  freqSeconds: number | null,
): boolean {
  const interval = freqSeconds && freqSeconds > 0 ? freqSeconds : 2;
  return ageSeconds !== null && ageSeconds > interval * 1.5;
}
