/**
 * The pure parts of the worker's remote-control replies, shaped as Celery
 * 5.2.6's `celery/worker/control.py` shapes them (Flower and `celery
 * inspect` read these keys).
 */
import type { TaskOptions } from '@celeriac/tasks';

/** What `stats` reports about the worker (`WorkController.stats()`). */
export interface WorkerStatsInput {
  /** `{task name: tasks started}`. */
  total: Record<string, number>;
  pid: number;
  /** The Lamport clock's value. */
  clock: number;
  uptimeSeconds: number;
  concurrency: number;
  /** `[soft, hard]` default time limits, in seconds. */
  timeouts: [number, number];
  prefetchCount: number;
  /** kombu's `Connection.info()` without the password. */
  broker: Record<string, unknown>;
  rusage: NodeJS.ResourceUsage;
  /** A pool's own `pool` entry (processes / threads); else the event loop's. */
  pool?: Record<string, unknown>;
  /** celeriac's rate limits and concurrency keys on this worker. */
  limits?: Record<string, unknown>;
}

/**
 * Celery's `stats` reply: `total`, `pid`, `clock` (a string), `uptime`,
 * `pool` (a pool's own entry; on the event loop, solo's implementation
 * with the prefork pool's keys, tasks run in this one process), `broker`,
 * `prefetch_count` and `rusage`.
 */
export function buildWorkerStats(
  input: WorkerStatsInput,
): Record<string, unknown> {
  return {
    total: input.total,
    pid: input.pid,
    clock: String(input.clock),
    uptime: Math.round(input.uptimeSeconds),
    pool: input.pool ?? {
      // The event loop: Celery's solo pool (WORKER_POOL=solo is its alias).
      implementation: 'celery.concurrency.solo:TaskPool',
      'max-concurrency': input.concurrency,
      processes: [input.pid],
      'max-tasks-per-child': 'N/A',
      'put-guarded-by-semaphore': false,
      timeouts: input.timeouts,
      writes: 'N/A',
    },
    broker: input.broker,
    prefetch_count: input.prefetchCount,
    rusage: toCeleryRusage(input.rusage),
    ...(input.limits ? { limits: input.limits } : {}),
  };
}

/**
 * `resource.getrusage(RUSAGE_SELF)` under Celery's key names, from
 * `process.resourceUsage()` (CPU times in seconds, maxrss in kilobytes as
 * on Linux).
 */
export function toCeleryRusage(
  usage: NodeJS.ResourceUsage,
): Record<string, number> {
  return {
    utime: usage.userCPUTime / 1e6,
    stime: usage.systemCPUTime / 1e6,
    maxrss: usage.maxRSS,
    ixrss: usage.sharedMemorySize,
    idrss: usage.unsharedDataSize,
    isrss: usage.unsharedStackSize,
    minflt: usage.minorPageFault,
    majflt: usage.majorPageFault,
    nswap: usage.swappedOut,
    inblock: usage.fsRead,
    oublock: usage.fsWrite,
    msgsnd: usage.ipcSent,
    msgrcv: usage.ipcReceived,
    nsignals: usage.signalsCount,
    nvcsw: usage.voluntaryContextSwitches,
    nivcsw: usage.involuntaryContextSwitches,
  };
}

/** Celery's `registered` default: `exchange,routing_key,rate_limit`. */
export const DEFAULT_TASK_INFO_ITEMS = [
  'exchange',
  'routing_key',
  'rate_limit',
];

// Celery's Task attribute names, read from a celeriac task declaration.
// exchange and routing_key stay None: celeriac has neither.
const TASK_ATTRIBUTES: Record<string, (task: TaskOptions) => unknown> = {
  rate_limit: (task) => task.rateLimit,
  queue: (task) => task.queue,
  max_retries: (task) => task.maxRetries,
  default_retry_delay: (task) => task.defaultRetryDelay,
  time_limit: (task) => task.timeLimit,
  soft_time_limit: (task) => task.softTimeLimit,
  acks_late: (task) => task.acksLate,
  track_started: (task) => task.trackStarted,
  ignore_result: (task) => task.ignoreResult,
};

/** Python's `str()` of a simple value. */
function pythonStr(value: unknown): string {
  if (value === true) {
    return 'True';
  }
  if (value === false) {
    return 'False';
  }
  return String(value);
}

/**
 * Celery's `registered`: the task names, sorted; a task with any of the
 * asked attributes set reads `name [attr=value ...]`.
 *
 * @param tasks - the registered declarations
 * @param taskinfoitems - Celery attribute names (`queue`, `time_limit`, ...)
 */
export function registeredTasks(
  tasks: readonly TaskOptions[],
  taskinfoitems: readonly string[] = DEFAULT_TASK_INFO_ITEMS,
): string[] {
  return [...tasks]
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map((task) => {
      const fields = taskinfoitems.flatMap((item) => {
        const value = TASK_ATTRIBUTES[item]?.(task);
        return value === undefined || value === null
          ? []
          : [`${item}=${pythonStr(value)}`];
      });
      return fields.length > 0
        ? `${task.name} [${fields.join(' ')}]`
        : task.name;
    });
}

/** Celery's `maybe_sanitize_url`: each password (of each `;`-separated URL) becomes `********`. */
export function maskPassword(url: string): string {
  // Each URL of a `;` failover list has its own password.
  return url
    .split(';')
    .map((one) =>
      one.replace(
        /^(\s*[a-z][a-z0-9+.-]*:\/\/[^:/@]*):[^@/]*@/i,
        '$1:********@',
      ),
    )
    .join(';');
}

/** The worker settings `conf` reports, under Celery's setting names. */
export interface WorkerSettings {
  brokerUrl: string;
  resultBackend: string;
  resultExpires: number;
  defaultQueue: string;
  queues: readonly string[];
  concurrency: number;
  softTimeLimit: number;
  timeLimit: number;
  sendEvents: boolean;
  trackStarted: boolean;
}

// Celery's defaults for what celeriac does the same way; `with_defaults`
// adds them (Celery lists all 170 of its settings then).
const CELERY_DEFAULTS: Record<string, unknown> = {
  accept_content: ['json'],
  enable_utc: true,
  timezone: null,
  task_serializer: 'json',
  result_serializer: 'json',
  result_accept_content: null,
  task_protocol: 2,
  task_acks_late: false,
  task_default_exchange: null,
  task_default_exchange_type: 'direct',
  task_default_routing_key: null,
  task_create_missing_queues: true,
  task_ignore_result: false,
  task_track_started: false,
  task_default_rate_limit: null,
  broker_heartbeat: 120,
  broker_connection_timeout: 4,
  broker_connection_retry: true,
  result_extended: false,
  worker_disable_rate_limits: false,
  worker_enable_remote_control: true,
  control_exchange: 'celery',
  event_exchange: 'celeryev',
  worker_prefetch_multiplier: 4,
};

/**
 * Celery's `conf`: the settings that differ from Celery's defaults (with
 * `withDefaults`, Celery's defaults too), by Celery's lowercase names; the
 * URLs with their passwords masked as Celery masks them.
 */
export function buildWorkerConf(
  settings: WorkerSettings,
  withDefaults = false,
): Record<string, unknown> {
  const changed: Record<string, unknown> = {
    broker_url: maskPassword(settings.brokerUrl),
    result_backend: maskPassword(settings.resultBackend),
    result_expires: settings.resultExpires,
    result_extended: true,
    task_default_queue: settings.defaultQueue,
    task_queues: [...settings.queues],
    task_acks_late: true,
    task_soft_time_limit: settings.softTimeLimit,
    task_time_limit: settings.timeLimit,
    task_track_started: settings.trackStarted,
    worker_concurrency: settings.concurrency,
    worker_prefetch_multiplier: 1,
    worker_send_task_events: settings.sendEvents,
    broker_heartbeat: 10,
  };
  return withDefaults ? { ...CELERY_DEFAULTS, ...changed } : changed;
}
