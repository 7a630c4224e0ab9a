// class-transformer's @Type reads design-time metadata.
import 'reflect-metadata';
import { Transform, Type } from 'class-transformer';
import { isIP } from 'node:net';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsNumber,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  ValidateBy,
} from 'class-validator';

import { WORKER_POOL_NAMES } from './worker-pool';

const QUEUE_LIST = /^[A-Za-z0-9._:@-]+(,[A-Za-z0-9._:@-]+)*$/;
const QUEUE_NAME = /^[A-Za-z0-9._:@-]+$/;
// RFC 6750 b64token: what a client can send after `Authorization: Bearer `.
const BEARER_TOKEN = '[A-Za-z0-9._~+/-]+=*';
// A key may carry scopes after a colon (never part of a b64token): `key:unchecked`.
const SCOPED_KEY = `${BEARER_TOKEN}(:unchecked)?`;
const KEY_LIST = new RegExp(`^\\s*${SCOPED_KEY}(\\s*,\\s*${SCOPED_KEY})*\\s*$`);
// The monitor's keys have no scopes: any key may use every control.
const PLAIN_KEY_LIST = new RegExp(
  `^\\s*${BEARER_TOKEN}(\\s*,\\s*${BEARER_TOKEN})*\\s*$`,
);
// Queue names, or prefixes ending in `*`.
const QUEUE_PATTERN_LIST =
  /^[A-Za-z0-9._:@-]+\*?(,[A-Za-z0-9._:@-]+\*?)*$|^[A-Za-z0-9._:@-]*\*$/;
// What body-parser's `limit` takes (the `bytes` package), e.g. 512kb, 1mb.
const BYTE_SIZE = /^\d+(\.\d+)?(b|kb|mb|gb)?$/i;

// An IPv4 or IPv6 address, or a host name (`localhost`, `api.internal`).
const HOST_NAME =
  /^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

/** A listen address: an IP address (`0.0.0.0`, `127.0.0.1`, `::`) or a host name. */
function IsBindAddress(): PropertyDecorator {
  return ValidateBy({
    name: 'isBindAddress',
    validator: {
      validate: (value: unknown) =>
        typeof value === 'string' &&
        (isIP(value) !== 0 || HOST_NAME.test(value)),
      defaultMessage: (args) =>
        `${args?.property ?? 'the host'} must be an IP address (0.0.0.0, 127.0.0.1, ::) or a host name`,
    },
  });
}

/** `true` / `false` in any case; anything else is left for @IsBoolean to refuse. */
function toBoolean({ value }: { value: unknown }): unknown {
  if (typeof value !== 'string') {
    return value;
  }
  const lower = value.toLowerCase();
  return lower === 'true' ? true : lower === 'false' ? false : value;
}

/** Every environment variable celeriac reads (README lists them). */
export class EnvironmentVariables {
  // One broker, or several separated by `;` (Celery's failover list).
  @Matches(/^\s*amqps?:\/\/[^;]*(;\s*amqps?:\/\/[^;]*)*;?\s*$/, {
    message:
      'BROKER_URL must be an amqp:// or amqps:// URL, or several separated by ;',
  })
  BROKER_URL = 'amqp://guest:guest@127.0.0.1:5672//';

  // A Redis URL, or Celery's Sentinel list: `sentinel://h1:26379;sentinel://h2:26379/0`.
  @Matches(/^(rediss?:\/\/|sentinel:\/\/[^;]+(;\s*sentinel:\/\/[^;]+)*;?$)/, {
    message:
      'RESULT_BACKEND_URL must be a redis:// or rediss:// URL, or sentinel:// URLs separated by ;',
  })
  RESULT_BACKEND_URL = 'redis://127.0.0.1:6379/0';

  // Celery's `master_name` transport option: the master the sentinels watch.
  @Matches(/^[A-Za-z0-9._-]+$/, {
    message:
      'RESULT_BACKEND_SENTINEL_MASTER must be a Sentinel master name (letters, digits, . _ -)',
  })
  RESULT_BACKEND_SENTINEL_MASTER = 'mymaster';

  // The sentinels' own requirepass (Celery's `sentinel_kwargs.password`);
  // the master's password is the one in the sentinel:// URL.
  @IsOptional()
  @IsString()
  RESULT_BACKEND_SENTINEL_PASSWORD?: string;

  // Replicas that must hold a task's result before its message is acked
  // (Redis WAIT); 0 = no wait.
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(16)
  RESULT_BACKEND_WAIT_REPLICAS = 0;

  // How long a worker waits for them; fewer in time: the task is requeued.
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(60_000)
  RESULT_BACKEND_WAIT_TIMEOUT_MS = 1000;

  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(65535)
  API_PORT = 8000;

  // Every interface by default, as a container needs; 127.0.0.1 keeps it local.
  @IsBindAddress()
  API_HOST = '0.0.0.0';

  // Processes serving API_PORT (node:cluster): 1 (default) = one process,
  // no cluster primary; auto = one per CPU the process may use, at most 8. The
  // api's main.ts reads it before this validation runs, with the same rule.
  @Matches(/^\s*(auto|[1-9]|[1-5]\d|6[0-4])?\s*$/i, {
    message: 'API_PROCESSES must be auto or a whole number from 1 to 64',
  })
  API_PROCESSES = '1';

  // The message never shows the value: these are secrets.
  @IsOptional()
  @Matches(KEY_LIST, {
    message:
      'API_KEYS must be a comma-separated list of bearer tokens (letters, digits, -._~+/ and trailing =), each optionally followed by :unchecked',
  })
  API_KEYS?: string;

  @IsOptional()
  @Matches(QUEUE_PATTERN_LIST, {
    message:
      'API_QUEUES must be a comma-separated list of queue names, each optionally ending in * (a prefix)',
  })
  API_QUEUES?: string;

  @Transform(toBoolean)
  @IsBoolean({ message: 'API_PROTECT_SEED must be true or false' })
  API_PROTECT_SEED = false;

  // Off by default: an internal service's callers share one IP (a pod, a
  // proxy); a limit is a deliberate choice, per API key (else per IP).
  @Type(() => Number)
  @IsInt()
  @Min(0)
  API_RATE_LIMIT = 0;

  // The seed's routes (`/`, `/solo`, `/result`) had no limit; only on request.
  @Transform(toBoolean)
  @IsBoolean({ message: 'API_RATE_LIMIT_SEED must be true or false' })
  API_RATE_LIMIT_SEED = false;

  @Type(() => Number)
  @IsInt()
  @Min(0)
  API_RATE_LIMIT_WINDOW = 60;

  // redis: one budget shared by every api replica; memory: per replica.
  @IsIn(['memory', 'redis'])
  API_RATE_LIMIT_STORE: 'memory' | 'redis' = 'memory';

  @Matches(BYTE_SIZE, {
    message: 'API_BODY_LIMIT must be a size such as 512kb or 1mb',
  })
  API_BODY_LIMIT = '1mb';

  @Matches(QUEUE_LIST, {
    message: 'WORKER_QUEUES must be a comma-separated list of queue names',
  })
  WORKER_QUEUES = 'default-sum';

  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  WORKER_CONCURRENCY = 2;

  // Celery's worker_prefetch_multiplier: messages held per concurrency slot.
  // 4 as in Celery: with 1, a slot idles for an ack-to-delivery round trip
  // after every task, which caps short tasks at two in flight by default.
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  WORKER_PREFETCH_MULTIPLIER = 4;

  // Where tasks run: the one event loop, child processes (Celery's prefork)
  // or worker threads; Celery's -P names are aliases.
  @IsIn(Object.keys(WORKER_POOL_NAMES), {
    message: `WORKER_POOL must be one of ${Object.keys(WORKER_POOL_NAMES).join(', ')}`,
  })
  WORKER_POOL = 'event-loop';

  // Celery's worker_max_tasks_per_child: a child is replaced after this
  // many tasks; 0 = never.
  @Type(() => Number)
  @IsInt()
  @Min(0)
  WORKER_MAX_TASKS_PER_CHILD = 0;

  // Celery's worker_max_memory_per_child, in KiB: a child using more after
  // a task is replaced; 0 = no limit.
  @Type(() => Number)
  @IsInt()
  @Min(0)
  WORKER_MAX_MEMORY_PER_CHILD = 0;

  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(65535)
  WORKER_HEALTH_PORT = 8002;

  @IsBindAddress()
  WORKER_HEALTH_HOST = '0.0.0.0';

  @Type(() => Number)
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  WORKER_SHUTDOWN_TIMEOUT = 30;

  @Transform(toBoolean)
  @IsBoolean({ message: 'WORKER_SEND_EVENTS must be true or false' })
  WORKER_SEND_EVENTS = true;

  @IsOptional()
  @IsString()
  @Matches(/^[^\s]+$/, { message: 'WORKER_HOSTNAME must not contain spaces' })
  WORKER_HOSTNAME?: string;

  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(65535)
  MONITOR_PORT = 5555;

  @IsBindAddress()
  MONITOR_HOST = '0.0.0.0';

  // `user:pass`; empty = no authentication. The message never shows the value.
  @IsOptional()
  @Matches(/^$|^[^:]+:.+$/, {
    message: 'MONITOR_BASIC_AUTH must be user:password (or empty)',
  })
  MONITOR_BASIC_AUTH?: string;

  // Bearer keys for the monitor, as API_KEYS for the api. Never shown either.
  @IsOptional()
  @Matches(PLAIN_KEY_LIST, {
    message:
      'MONITOR_API_KEYS must be a comma-separated list of bearer tokens (letters, digits, -._~+/ and trailing =)',
  })
  MONITOR_API_KEYS?: string;

  // Flower's FLOWER_UNAUTHENTICATED_API: the controls without credentials.
  @Transform(toBoolean)
  @IsBoolean({ message: 'MONITOR_UNAUTHENTICATED_API must be true or false' })
  MONITOR_UNAUTHENTICATED_API = false;

  // Every control (send, revoke, shutdown, …) answers 403.
  @Transform(toBoolean)
  @IsBoolean({ message: 'MONITOR_READ_ONLY must be true or false' })
  MONITOR_READ_ONLY = false;

  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  MONITOR_MAX_TASKS = 10000;

  @IsString()
  MONITOR_DASHBOARD_DIR = 'dist/monitor-dashboard';

  @IsOptional()
  @Matches(/^$|^[A-Za-z0-9._:@-]+(,[A-Za-z0-9._:@-]+)*$/, {
    message: 'MONITOR_QUEUES must be a comma-separated list of queue names',
  })
  MONITOR_QUEUES?: string;

  @Transform(toBoolean)
  @IsBoolean({ message: 'MONITOR_ENABLE_EVENTS must be true or false' })
  MONITOR_ENABLE_EVENTS = true;

  // A path to a JSON or YAML file of periodic tasks; none by default.
  @IsOptional()
  @IsString()
  @Matches(/\S/, { message: 'BEAT_SCHEDULE_FILE must be a file path' })
  BEAT_SCHEDULE_FILE?: string;

  // Seconds: an ETA further away than this is kept in BullMQ, not in a worker; 0 = never.
  @Type(() => Number)
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  BEAT_DELAY_THRESHOLD = 5;

  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(65535)
  BEAT_HEALTH_PORT = 8003;

  @IsBindAddress()
  BEAT_HEALTH_HOST = '0.0.0.0';

  @Matches(QUEUE_NAME, { message: 'TASK_DEFAULT_QUEUE must be a queue name' })
  TASK_DEFAULT_QUEUE = 'default-sum';

  @Type(() => Number)
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  TASK_TIME_SCALE = 1;

  @Type(() => Number)
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0.001)
  TASK_SOFT_TIME_LIMIT = 600;

  @Type(() => Number)
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0.001)
  TASK_TIME_LIMIT = 1200;

  // Celery's task_track_started: write STARTED when a task begins (Celery's default is false).
  @Transform(toBoolean)
  @IsBoolean({ message: 'TASK_TRACK_STARTED must be true or false' })
  TASK_TRACK_STARTED = true;

  // Celery 5.3's task_allow_error_cb_on_chord_header: a chord's link_error
  // goes to its header tasks too (immutable), not only to its body.
  @Transform(toBoolean)
  @IsBoolean({
    message: 'TASK_ALLOW_ERROR_CB_ON_CHORD_HEADER must be true or false',
  })
  TASK_ALLOW_ERROR_CB_ON_CHORD_HEADER = false;

  // Celery's task_default_queue_type: quorum queues replicate across a cluster.
  @IsIn(['classic', 'quorum'], {
    message: 'TASK_QUEUE_TYPE must be classic or quorum',
  })
  TASK_QUEUE_TYPE: 'classic' | 'quorum' = 'classic';

  // Deliveries of one message before the worker dead-letters it (quorum queues count them); 0 = no limit.
  @Type(() => Number)
  @IsInt()
  @Min(0)
  TASK_DELIVERY_LIMIT = 0;

  // How an ETA is delayed: beat (published, or held in BullMQ past BEAT_DELAY_THRESHOLD) or native (RabbitMQ's delayed-delivery levels, Celery 5.5).
  @IsIn(['beat', 'native'], {
    message: 'TASK_COUNTDOWN_DELIVERY must be beat or native',
  })
  TASK_COUNTDOWN_DELIVERY: 'beat' | 'native' = 'beat';
  // cluster: one budget per task name in Redis for all workers; worker:
  // each worker counts its own, as Celery's rate_limit does.
  @IsIn(['cluster', 'worker'])
  RATE_LIMIT_SCOPE: 'cluster' | 'worker' = 'cluster';

  // Seconds before a dead worker's concurrency-key slots return to others.
  @Type(() => Number)
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(1)
  @Max(3600)
  CONCURRENCY_LEASE_TIMEOUT = 10;

  @Type(() => Number)
  @IsInt()
  @Min(1)
  RESULT_EXPIRES = 86400;

  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL = 'info';

  // Production manifests set it: no start without real broker and Redis passwords.
  @Transform(toBoolean)
  @IsBoolean({ message: 'CELERIAC_REQUIRE_CREDENTIALS must be true or false' })
  CELERIAC_REQUIRE_CREDENTIALS = false;
}
