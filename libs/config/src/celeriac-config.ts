import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { hostname } from 'node:os';
import type { EnvironmentVariables } from './environment-variables';
import { parseWorkerPool, type WorkerPoolKind } from './worker-pool';

/** Typed, grouped configuration, parsed once from the validated environment. */
@Injectable()
export class CeleriacConfig {
  readonly broker: { url: string };
  readonly results: {
    url: string;
    expiresSeconds: number;
    /** RESULT_BACKEND_SENTINEL_MASTER, used when `url` lists sentinels. */
    sentinelMaster: string;
    sentinelPassword?: string;
    /** Replicas a worker waits for before acking (RESULT_BACKEND_WAIT_REPLICAS); 0 = none. */
    waitReplicas: number;
    waitTimeoutMs: number;
  };
  readonly api: {
    port: number;
    /** The listen address (API_HOST); `0.0.0.0` = every interface. */
    host: string;
    /** Bearer keys; empty = no authentication. */
    keys: string[];
    /** The keys that may send `?unchecked=true` (listed as `key:unchecked`). */
    uncheckedKeys: ReadonlySet<string>;
    /** Queue names and `prefix*` patterns the api may publish to; undefined = any. */
    queues?: readonly string[];
    /** Whether the seed endpoints (`/`, `/solo`, `/result`) need a key too. */
    protectSeed: boolean;
    /** Requests per window per key or IP; `limit` or `windowSeconds` 0 = off (the default). */
    rateLimit: {
      limit: number;
      windowSeconds: number;
      /** Whether the seed endpoints (`/`, `/solo`, `/result`) count too. */
      seed: boolean;
      /** Where requests are counted: this process, or Redis (all replicas). */
      store: 'memory' | 'redis';
    };
    /** Largest JSON or form body, in body-parser's notation (`1mb`). */
    bodyLimit: string;
  };
  readonly worker: {
    queues: string[];
    concurrency: number;
    /**
     * Unacked messages the broker may hand the worker at once:
     * concurrency × WORKER_PREFETCH_MULTIPLIER (Celery's prefetch).
     */
    prefetch: number;
    healthPort: number;
    /** The health port's listen address (WORKER_HEALTH_HOST). */
    healthHost: string;
    hostname: string;
    shutdownTimeoutSeconds: number;
    /** Celery's `-E`: task events (worker heartbeats are always sent). */
    sendEvents: boolean;
    /** Where tasks run, and when a pool's child is replaced. */
    pool: {
      kind: WorkerPoolKind;
      /** Tasks before a child is replaced; null = never. */
      maxTasksPerChild: number | null;
      /** KiB a child may use after a task before it is replaced; null = no limit. */
      maxMemoryPerChildKib: number | null;
    };
  };
  readonly monitor: {
    port: number;
    /** The listen address (MONITOR_HOST). */
    host: string;
    /** HTTP Basic credentials; null = none. */
    basicAuth: { user: string; password: string } | null;
    /** Bearer keys; empty = none. */
    apiKeys: string[];
    /**
     * Whether the controls (every non-GET route) work without credentials
     * when none are configured; Flower's FLOWER_UNAUTHENTICATED_API.
     */
    unauthenticatedApi: boolean;
    /** Every control answers 403, whoever asks. */
    readOnly: boolean;
    /** Tasks kept in memory; the oldest are evicted. */
    maxTasks: number;
    /** The dashboard's static files, resolved from the cwd. */
    dashboardDir: string;
    /** Queues watched besides the workers' and the default ones. */
    queues: string[];
    /** Broadcast enable_events every 5 s, as Flower does. */
    enableEvents: boolean;
  };
  readonly beat: {
    /** JSON or YAML file of periodic tasks, loaded when beat starts. */
    scheduleFile?: string;
    /** ETAs further than this (seconds) wait in BullMQ; 0 = delayed handoff off. */
    delayThresholdSeconds: number;
    healthPort: number;
    /** The health port's listen address (BEAT_HEALTH_HOST). */
    healthHost: string;
  };
  readonly tasks: {
    defaultQueue: string;
    timeScale: number;
    softTimeLimit: number;
    timeLimit: number;
    /** Celery's `task_track_started`: STARTED is written when a task begins. */
    trackStarted: boolean;
    /** Celery's `task_allow_error_cb_on_chord_header`: a chord's errback goes to its header too. */
    allowErrorCbOnChordHeader: boolean;
    /** Celery's `task_default_queue_type`. */
    queueType: 'classic' | 'quorum';
    /** Deliveries before the worker dead-letters a message; 0 = none. */
    deliveryLimit: number;
    /** `native`: ETAs go through RabbitMQ's delayed-delivery levels. */
    countdownDelivery: 'beat' | 'native';
    /** Where task rate limits are counted: Redis (all workers) or each worker. */
    rateLimitScope: 'cluster' | 'worker';
    /** Seconds before a dead worker's concurrency-key slots return. */
    concurrencyLeaseTimeout: number;
  };
  readonly log: { level: string };

  constructor(config: ConfigService<EnvironmentVariables, true>) {
    const get = <K extends keyof EnvironmentVariables>(key: K) =>
      config.get(key, { infer: true });
    this.broker = { url: get('BROKER_URL') };
    this.results = {
      url: get('RESULT_BACKEND_URL'),
      expiresSeconds: get('RESULT_EXPIRES'),
      sentinelMaster: get('RESULT_BACKEND_SENTINEL_MASTER'),
      sentinelPassword: get('RESULT_BACKEND_SENTINEL_PASSWORD'),
      waitReplicas: get('RESULT_BACKEND_WAIT_REPLICAS'),
      waitTimeoutMs: get('RESULT_BACKEND_WAIT_TIMEOUT_MS'),
    };
    this.api = {
      port: get('API_PORT'),
      host: get('API_HOST'),
      keys: parseKeys(get('API_KEYS')).map(({ key }) => key),
      uncheckedKeys: new Set(
        parseKeys(get('API_KEYS'))
          .filter(({ scopes }) => scopes.includes('unchecked'))
          .map(({ key }) => key),
      ),
      queues: get('API_QUEUES')?.split(','),
      protectSeed: get('API_PROTECT_SEED'),
      rateLimit: {
        limit: get('API_RATE_LIMIT'),
        windowSeconds: get('API_RATE_LIMIT_WINDOW'),
        seed: get('API_RATE_LIMIT_SEED'),
        store: get('API_RATE_LIMIT_STORE'),
      },
      bodyLimit: get('API_BODY_LIMIT'),
    };
    this.worker = {
      queues: [...new Set(get('WORKER_QUEUES').split(','))],
      concurrency: get('WORKER_CONCURRENCY'),
      prefetch: get('WORKER_CONCURRENCY') * get('WORKER_PREFETCH_MULTIPLIER'),
      healthPort: get('WORKER_HEALTH_PORT'),
      healthHost: get('WORKER_HEALTH_HOST'),
      hostname: get('WORKER_HOSTNAME') ?? `celeriac@${hostname()}`,
      shutdownTimeoutSeconds: get('WORKER_SHUTDOWN_TIMEOUT'),
      sendEvents: get('WORKER_SEND_EVENTS'),
      pool: {
        kind: parseWorkerPool(get('WORKER_POOL')),
        maxTasksPerChild: get('WORKER_MAX_TASKS_PER_CHILD') || null,
        maxMemoryPerChildKib: get('WORKER_MAX_MEMORY_PER_CHILD') || null,
      },
    };
    this.monitor = {
      port: get('MONITOR_PORT'),
      host: get('MONITOR_HOST'),
      basicAuth: parseBasicAuth(get('MONITOR_BASIC_AUTH')),
      apiKeys: parseKeyList(get('MONITOR_API_KEYS')),
      unauthenticatedApi: get('MONITOR_UNAUTHENTICATED_API'),
      readOnly: get('MONITOR_READ_ONLY'),
      maxTasks: get('MONITOR_MAX_TASKS'),
      dashboardDir: get('MONITOR_DASHBOARD_DIR'),
      queues: (get('MONITOR_QUEUES') ?? '')
        .split(',')
        .filter((queue) => queue !== ''),
      enableEvents: get('MONITOR_ENABLE_EVENTS'),
    };
    this.beat = {
      scheduleFile: get('BEAT_SCHEDULE_FILE'),
      delayThresholdSeconds: get('BEAT_DELAY_THRESHOLD'),
      healthPort: get('BEAT_HEALTH_PORT'),
      healthHost: get('BEAT_HEALTH_HOST'),
    };
    this.tasks = {
      defaultQueue: get('TASK_DEFAULT_QUEUE'),
      timeScale: get('TASK_TIME_SCALE'),
      softTimeLimit: get('TASK_SOFT_TIME_LIMIT'),
      timeLimit: get('TASK_TIME_LIMIT'),
      trackStarted: get('TASK_TRACK_STARTED'),
      allowErrorCbOnChordHeader: get('TASK_ALLOW_ERROR_CB_ON_CHORD_HEADER'),
      queueType: get('TASK_QUEUE_TYPE'),
      deliveryLimit: get('TASK_DELIVERY_LIMIT'),
      countdownDelivery: get('TASK_COUNTDOWN_DELIVERY'),
      rateLimitScope: get('RATE_LIMIT_SCOPE'),
      concurrencyLeaseTimeout: get('CONCURRENCY_LEASE_TIMEOUT'),
    };
    this.log = { level: get('LOG_LEVEL') };
  }
}

/** `key[:scope]` entries; a key listed twice keeps every scope it was given. */
function parseKeys(
  list: string | undefined,
): { key: string; scopes: string[] }[] {
  const byKey = new Map<string, string[]>();
  for (const entry of (list ?? '').split(',')) {
    const [key, ...scopes] = entry.trim().split(':');
    if (key !== '') {
      byKey.set(key, [...(byKey.get(key) ?? []), ...scopes]);
    }
  }
  return [...byKey].map(([key, scopes]) => ({ key, scopes }));
}

function parseKeyList(list: string | undefined): string[] {
  const keys = (list ?? '').split(',').map((key) => key.trim());
  return [...new Set(keys.filter((key) => key !== ''))];
}

function parseBasicAuth(
  value: string | undefined,
): { user: string; password: string } | null {
  if (!value) {
    return null;
  }
  const colon = value.indexOf(':');
  return { user: value.slice(0, colon), password: value.slice(colon + 1) };
}
