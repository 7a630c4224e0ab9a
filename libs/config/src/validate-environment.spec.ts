import { ConfigValidationError } from './config-validation.error';
import { validateEnvironment } from './validate-environment';

describe(validateEnvironment.name, () => {
  it('applies DESIGN.md defaults to an empty environment', () => {
    expect({ ...validateEnvironment({}) }).toEqual({
      BROKER_URL: 'amqp://guest:guest@127.0.0.1:5672//',
      RESULT_BACKEND_URL: 'redis://127.0.0.1:6379/0',
      RESULT_BACKEND_SENTINEL_MASTER: 'mymaster',
      RESULT_BACKEND_WAIT_REPLICAS: 0,
      RESULT_BACKEND_WAIT_TIMEOUT_MS: 1000,
      API_PORT: 8000,
      API_HOST: '0.0.0.0',
      API_PROCESSES: '1',
      API_PROTECT_SEED: false,
      API_RATE_LIMIT: 0,
      API_RATE_LIMIT_SEED: false,
      API_RATE_LIMIT_WINDOW: 60,
      API_RATE_LIMIT_STORE: 'memory',
      API_BODY_LIMIT: '1mb',
      WORKER_QUEUES: 'default-sum',
      WORKER_CONCURRENCY: 2,
      WORKER_PREFETCH_MULTIPLIER: 4,
      WORKER_POOL: 'event-loop',
      WORKER_MAX_TASKS_PER_CHILD: 0,
      WORKER_MAX_MEMORY_PER_CHILD: 0,
      WORKER_HEALTH_PORT: 8002,
      WORKER_HEALTH_HOST: '0.0.0.0',
      WORKER_SHUTDOWN_TIMEOUT: 30,
      WORKER_SEND_EVENTS: true,
      MONITOR_PORT: 5555,
      MONITOR_HOST: '0.0.0.0',
      MONITOR_MAX_TASKS: 10000,
      MONITOR_DASHBOARD_DIR: 'dist/monitor-dashboard',
      MONITOR_ENABLE_EVENTS: true,
      MONITOR_UNAUTHENTICATED_API: false,
      MONITOR_READ_ONLY: false,
      BEAT_DELAY_THRESHOLD: 5,
      BEAT_HEALTH_PORT: 8003,
      BEAT_HEALTH_HOST: '0.0.0.0',
      TASK_DEFAULT_QUEUE: 'default-sum',
      TASK_TIME_SCALE: 1,
      TASK_SOFT_TIME_LIMIT: 600,
      TASK_TIME_LIMIT: 1200,
      TASK_TRACK_STARTED: true,
      TASK_ALLOW_ERROR_CB_ON_CHORD_HEADER: false,
      TASK_QUEUE_TYPE: 'classic',
      TASK_DELIVERY_LIMIT: 0,
      TASK_COUNTDOWN_DELIVERY: 'beat',
      RATE_LIMIT_SCOPE: 'cluster',
      CONCURRENCY_LEASE_TIMEOUT: 10,
      RESULT_EXPIRES: 86400,
      LOG_LEVEL: 'info',
      CELERIAC_REQUIRE_CREDENTIALS: false,
    });
  });

  it("reads the monitor's variables", () => {
    const env = validateEnvironment({
      MONITOR_BASIC_AUTH: 'admin:pa:ss',
      MONITOR_MAX_TASKS: '500',
      MONITOR_QUEUES: 'a,b',
      MONITOR_ENABLE_EVENTS: 'FALSE',
    });
    expect(env).toMatchObject({
      MONITOR_BASIC_AUTH: 'admin:pa:ss',
      MONITOR_MAX_TASKS: 500,
      MONITOR_QUEUES: 'a,b',
      MONITOR_ENABLE_EVENTS: false,
    });
  });

  it("reads the monitor's access settings, and Flower's names for them", () => {
    expect(
      validateEnvironment({
        MONITOR_API_KEYS: ' key-1, key-2== ',
        MONITOR_UNAUTHENTICATED_API: 'TRUE',
        MONITOR_READ_ONLY: 'true',
      }),
    ).toMatchObject({
      MONITOR_API_KEYS: ' key-1, key-2== ',
      MONITOR_UNAUTHENTICATED_API: true,
      MONITOR_READ_ONLY: true,
    });
    expect(
      validateEnvironment({
        FLOWER_UNAUTHENTICATED_API: 'true',
        FLOWER_READ_ONLY: 'true',
      }),
    ).toMatchObject({
      MONITOR_UNAUTHENTICATED_API: true,
      MONITOR_READ_ONLY: true,
    });
    expect(
      validateEnvironment({
        FLOWER_UNAUTHENTICATED_API: 'true',
        MONITOR_UNAUTHENTICATED_API: 'false',
      }).MONITOR_UNAUTHENTICATED_API,
    ).toBe(false);
  });

  it('never shows a bad MONITOR_API_KEYS in its message', () => {
    expect(() =>
      validateEnvironment({ MONITOR_API_KEYS: 'secret key with spaces' }),
    ).toThrow(/^(?![\s\S]*secret key)[\s\S]*MONITOR_API_KEYS/);
  });

  it.each([
    ['MONITOR_BASIC_AUTH', 'no-colon'],
    ['MONITOR_BASIC_AUTH', ':password-only'],
    ['MONITOR_MAX_TASKS', '0'],
    ['MONITOR_QUEUES', 'a b'],
    ['MONITOR_ENABLE_EVENTS', 'maybe'],
    ['MONITOR_UNAUTHENTICATED_API', 'yes'],
    ['FLOWER_UNAUTHENTICATED_API', '1'],
    ['MONITOR_READ_ONLY', 'on'],
    ['MONITOR_API_KEYS', 'key:unchecked'],
    ['TASK_TRACK_STARTED', 'sometimes'],
    ['TASK_ALLOW_ERROR_CB_ON_CHORD_HEADER', 'sometimes'],
  ])('refuses %s=%s', (name, value) => {
    expect(() => validateEnvironment({ [name]: value })).toThrow(
      ConfigValidationError,
    );
  });

  it("reads TASK_TRACK_STARTED as Celery's task_track_started", () => {
    expect(
      validateEnvironment({ TASK_TRACK_STARTED: 'false' }).TASK_TRACK_STARTED,
    ).toBe(false);
  });

  it("reads TASK_ALLOW_ERROR_CB_ON_CHORD_HEADER as Celery's task_allow_error_cb_on_chord_header", () => {
    expect(
      validateEnvironment({ TASK_ALLOW_ERROR_CB_ON_CHORD_HEADER: 'TRUE' })
        .TASK_ALLOW_ERROR_CB_ON_CHORD_HEADER,
    ).toBe(true);
  });

  it("accepts Celery's sentinel:// list with a master name", () => {
    const env = validateEnvironment({
      RESULT_BACKEND_URL: 'sentinel://:pw@h1:26379/0;sentinel://h2:26379/0',
      RESULT_BACKEND_SENTINEL_MASTER: 'celeriac-results',
      RESULT_BACKEND_WAIT_REPLICAS: '1',
    });
    expect(env.RESULT_BACKEND_URL).toBe(
      'sentinel://:pw@h1:26379/0;sentinel://h2:26379/0',
    );
    expect(env.RESULT_BACKEND_SENTINEL_MASTER).toBe('celeriac-results');
    expect(env.RESULT_BACKEND_WAIT_REPLICAS).toBe(1);
  });

  it('accepts the Celery names, and the celeriac names win', () => {
    const aliased = validateEnvironment({
      CELERY_BROKER_URL: 'amqp://u:p@rabbitmq:5672',
      CELERY_RESULT_BACKEND: 'redis://redis:6379',
    });
    expect(aliased.BROKER_URL).toBe('amqp://u:p@rabbitmq:5672');
    expect(aliased.RESULT_BACKEND_URL).toBe('redis://redis:6379');
    const both = validateEnvironment({
      CELERY_BROKER_URL: 'amqp://old',
      BROKER_URL: 'amqp://new',
    });
    expect(both.BROKER_URL).toBe('amqp://new');
  });

  it("accepts Celery's ; list of brokers to fail over between", () => {
    const list = 'amqp://u:p@a:5672//;amqps://u:p@b:5671//';
    expect(validateEnvironment({ BROKER_URL: list }).BROKER_URL).toBe(list);
  });

  it('converts numbers from strings', () => {
    const env = validateEnvironment({
      API_PORT: '9000',
      TASK_TIME_SCALE: '0.1',
    });
    expect(env.API_PORT).toBe(9000);
    expect(env.TASK_TIME_SCALE).toBe(0.1);
  });

  it.each([
    ['BROKER_URL', 'http://rabbit'],
    ['BROKER_URL', 'amqp://a//;http://b'],
    ['TASK_QUEUE_TYPE', 'stream'],
    ['TASK_DELIVERY_LIMIT', '-1'],
    ['TASK_COUNTDOWN_DELIVERY', 'later'],
    ['RESULT_BACKEND_URL', 'memcached://x'],
    ['RESULT_BACKEND_URL', 'sentinel://h1:26379;redis://h2:6379'],
    ['RESULT_BACKEND_SENTINEL_MASTER', 'my master'],
    ['RESULT_BACKEND_WAIT_REPLICAS', '-1'],
    ['RESULT_BACKEND_WAIT_TIMEOUT_MS', '0'],
    ['API_PORT', '70000'],
    ['API_PORT', 'eighty'],
    ['WORKER_QUEUES', 'a,,b'],
    ['WORKER_QUEUES', 'has space'],
    ['WORKER_CONCURRENCY', '0'],
    ['WORKER_PREFETCH_MULTIPLIER', '0'],
    ['WORKER_PREFETCH_MULTIPLIER', '1.5'],
    ['TASK_TIME_SCALE', '-1'],
    ['RATE_LIMIT_SCOPE', 'global'],
    ['CONCURRENCY_LEASE_TIMEOUT', '0'],
    ['RESULT_EXPIRES', '1.5'],
    ['LOG_LEVEL', 'loud'],
    ['API_KEYS', 'has space'],
    ['API_KEYS', 'a,,b'],
    ['API_KEYS', 'key-one:admin'],
    ['API_KEYS', 'key-one:'],
    ['API_QUEUES', 'a b'],
    ['API_QUEUES', 'a,*b'],
    ['API_QUEUES', 'a,,b'],
    ['API_PROTECT_SEED', 'yes'],
    ['API_RATE_LIMIT', '-1'],
    ['API_RATE_LIMIT_WINDOW', '0.5'],
    ['API_RATE_LIMIT_STORE', 'disk'],
    ['API_RATE_LIMIT_SEED', 'sometimes'],
    ['API_HOST', 'not a host'],
    ['WORKER_HEALTH_HOST', 'http://127.0.0.1'],
    ['BEAT_HEALTH_HOST', '127.0.0.1:8003'],
    ['MONITOR_HOST', '-leading-dash'],
    ['API_BODY_LIMIT', 'huge'],
    ['WORKER_POOL', 'gevent'],
    ['WORKER_MAX_TASKS_PER_CHILD', '-1'],
    ['WORKER_MAX_MEMORY_PER_CHILD', '1.5'],
  ])('refuses %s=%s, naming the variable', (name, value) => {
    expect(() => validateEnvironment({ [name]: value })).toThrow(
      ConfigValidationError,
    );
    expect(() => validateEnvironment({ [name]: value })).toThrow(name);
  });

  it('reads the listen addresses: IPv4, IPv6 or a host name', () => {
    const env = validateEnvironment({
      API_HOST: '127.0.0.1',
      WORKER_HEALTH_HOST: '::1',
      BEAT_HEALTH_HOST: '::',
      MONITOR_HOST: 'localhost',
    });
    expect(env).toMatchObject({
      API_HOST: '127.0.0.1',
      WORKER_HEALTH_HOST: '::1',
      BEAT_HEALTH_HOST: '::',
      MONITOR_HOST: 'localhost',
    });
  });

  it('reads API_RATE_LIMIT and API_RATE_LIMIT_SEED', () => {
    const env = validateEnvironment({
      API_RATE_LIMIT: '100',
      API_RATE_LIMIT_SEED: 'true',
    });
    expect(env.API_RATE_LIMIT).toBe(100);
    expect(env.API_RATE_LIMIT_SEED).toBe(true);
  });

  it('reads API_KEYS as a list and API_PROTECT_SEED as a boolean', () => {
    const env = validateEnvironment({
      API_KEYS: 'key-one, key-two==',
      API_PROTECT_SEED: 'TRUE',
    });
    expect(env.API_KEYS).toBe('key-one, key-two==');
    expect(env.API_PROTECT_SEED).toBe(true);
    expect(validateEnvironment({ API_KEYS: '' }).API_KEYS).toBeUndefined();
  });

  it('takes the unchecked scope on a key and queue names or prefixes in API_QUEUES', () => {
    const env = validateEnvironment({
      API_KEYS: 'key-one:unchecked, key-two==',
      API_QUEUES: 'default-sum,reports-*',
    });
    expect(env.API_KEYS).toBe('key-one:unchecked, key-two==');
    expect(env.API_QUEUES).toBe('default-sum,reports-*');
    expect(validateEnvironment({ API_QUEUES: '*' }).API_QUEUES).toBe('*');
  });

  it('never prints an API key it refuses', () => {
    expect(() => validateEnvironment({ API_KEYS: 'good,b@d-s3cret' })).toThrow(
      expect.objectContaining({
        message: expect.not.stringContaining('s3cret'),
      }),
    );
  });

  it('reads API_PROCESSES: auto or 1 to 64, as the api main.ts does', () => {
    expect(validateEnvironment({ API_PROCESSES: 'AUTO' }).API_PROCESSES).toBe(
      'AUTO',
    );
    expect(validateEnvironment({ API_PROCESSES: '64' }).API_PROCESSES).toBe(
      '64',
    );
    for (const bad of ['0', '65', 'two', '1.5']) {
      expect(() => validateEnvironment({ API_PROCESSES: bad })).toThrow(
        'API_PROCESSES must be auto or a whole number from 1 to 64',
      );
    }
  });

  it('lists every bad variable at once and never prints a value', () => {
    let caught: unknown;
    try {
      validateEnvironment({
        BROKER_URL: 'http://user:s3cret@host',
        API_PORT: '-1',
      });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigValidationError);
    const { problems, message } = caught as ConfigValidationError;
    expect(problems).toHaveLength(2);
    expect(message).not.toContain('s3cret');
  });
});

describe('validateEnvironment: secrets', () => {
  it.each([
    ['BROKER_URL', 'amqp://celeriac:REPLACE_ME@rabbitmq:5672//'],
    ['RESULT_BACKEND_URL', 'redis://:change-me@redis:6379/0'],
    ['MONITOR_BASIC_AUTH', 'admin:changeme'],
    ['BROKER_URL', 'amqp://celeriac:<password>@rabbitmq:5672//'],
  ])('refuses a placeholder left in %s, without quoting it', (name, value) => {
    let caught: unknown;
    try {
      validateEnvironment({ [name]: value });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigValidationError);
    const message = (caught as Error).message;
    expect(message).toContain(`${name} still holds a placeholder`);
    expect(message).not.toContain(value);
  });

  it('starts with the local defaults unless credentials are required', () => {
    expect(() => validateEnvironment({})).not.toThrow();
  });

  it('with CELERIAC_REQUIRE_CREDENTIALS, checks every broker of a ; list', () => {
    expect(() =>
      validateEnvironment({
        CELERIAC_REQUIRE_CREDENTIALS: 'true',
        BROKER_URL: 'amqp://u:Xk3-long-secret@a//;amqp://b//',
        RESULT_BACKEND_URL: 'redis://:Xk3-long-secret@r:6379/0',
      }),
    ).toThrow('BROKER_URL has no password');
  });

  it('with CELERIAC_REQUIRE_CREDENTIALS, refuses guest/guest and URLs without passwords', () => {
    expect(() =>
      validateEnvironment({ CELERIAC_REQUIRE_CREDENTIALS: 'true' }),
    ).toThrow(
      /BROKER_URL uses RabbitMQ's default guest\/guest[\s\S]*RESULT_BACKEND_URL has no password/,
    );
    expect(() =>
      validateEnvironment({
        CELERIAC_REQUIRE_CREDENTIALS: 'true',
        BROKER_URL: 'amqps://rabbitmq:5671//',
        RESULT_BACKEND_URL: 'rediss://celeriac:s3cret@redis:6380/0',
      }),
    ).toThrow('BROKER_URL has no password');
  });

  it('with CELERIAC_REQUIRE_CREDENTIALS, starts with real passwords', () => {
    const env = validateEnvironment({
      CELERIAC_REQUIRE_CREDENTIALS: 'true',
      BROKER_URL: 'amqps://celeriac:Xk3-long-secret@rabbitmq:5671//',
      RESULT_BACKEND_URL: 'rediss://celeriac:Yk3-long-secret@redis:6380/0',
    });
    expect(env.CELERIAC_REQUIRE_CREDENTIALS).toBe(true);
  });
});
