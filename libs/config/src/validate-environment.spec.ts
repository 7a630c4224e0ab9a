import { ConfigValidationError } from './config-validation.error';
import { validateEnvironment } from './validate-environment';

describe(validateEnvironment.name, () => {
  it('applies DESIGN.md defaults to an empty environment', () => {
    expect({ ...validateEnvironment({}) }).toEqual({
      BROKER_URL: 'amqp://guest:guest@127.0.0.1:5672//',
      RESULT_BACKEND_URL: 'redis://127.0.0.1:6379/0',
      API_PORT: 8000,
      API_PROTECT_SEED: false,
      API_RATE_LIMIT: 600,
      API_RATE_LIMIT_WINDOW: 60,
      API_RATE_LIMIT_STORE: 'memory',
      API_BODY_LIMIT: '1mb',
      WORKER_QUEUES: 'default-sum',
      WORKER_CONCURRENCY: 2,
      WORKER_PREFETCH_MULTIPLIER: 4,
      WORKER_HEALTH_PORT: 8002,
      WORKER_SHUTDOWN_TIMEOUT: 30,
      WORKER_SEND_EVENTS: true,
      MONITOR_PORT: 5555,
      MONITOR_MAX_TASKS: 10000,
      MONITOR_DASHBOARD_DIR: 'dist/monitor-dashboard',
      MONITOR_ENABLE_EVENTS: true,
      BEAT_DELAY_THRESHOLD: 5,
      BEAT_HEALTH_PORT: 8003,
      TASK_DEFAULT_QUEUE: 'default-sum',
      TASK_TIME_SCALE: 1,
      TASK_SOFT_TIME_LIMIT: 600,
      TASK_TIME_LIMIT: 1200,
      TASK_TRACK_STARTED: true,
      RESULT_EXPIRES: 86400,
      LOG_LEVEL: 'info',
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

  it.each([
    ['MONITOR_BASIC_AUTH', 'no-colon'],
    ['MONITOR_BASIC_AUTH', ':password-only'],
    ['MONITOR_MAX_TASKS', '0'],
    ['MONITOR_QUEUES', 'a b'],
    ['MONITOR_ENABLE_EVENTS', 'maybe'],
    ['TASK_TRACK_STARTED', 'sometimes'],
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
    ['RESULT_BACKEND_URL', 'memcached://x'],
    ['API_PORT', '70000'],
    ['API_PORT', 'eighty'],
    ['WORKER_QUEUES', 'a,,b'],
    ['WORKER_QUEUES', 'has space'],
    ['WORKER_CONCURRENCY', '0'],
    ['WORKER_PREFETCH_MULTIPLIER', '0'],
    ['WORKER_PREFETCH_MULTIPLIER', '1.5'],
    ['TASK_TIME_SCALE', '-1'],
    ['RESULT_EXPIRES', '1.5'],
    ['LOG_LEVEL', 'loud'],
    ['API_KEYS', 'has space'],
    ['API_KEYS', 'a,,b'],
    ['API_PROTECT_SEED', 'yes'],
    ['API_RATE_LIMIT', '-1'],
    ['API_RATE_LIMIT_WINDOW', '0.5'],
    ['API_RATE_LIMIT_STORE', 'disk'],
    ['API_BODY_LIMIT', 'huge'],
  ])('refuses %s=%s, naming the variable', (name, value) => {
    expect(() => validateEnvironment({ [name]: value })).toThrow(
      ConfigValidationError,
    );
    expect(() => validateEnvironment({ [name]: value })).toThrow(name);
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

  it('never prints an API key it refuses', () => {
    expect(() => validateEnvironment({ API_KEYS: 'good,b@d-s3cret' })).toThrow(
      expect.objectContaining({
        message: expect.not.stringContaining('s3cret'),
      }),
    );
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
