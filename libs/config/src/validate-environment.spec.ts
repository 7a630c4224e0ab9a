import { ConfigValidationError } from './config-validation.error';
import { validateEnvironment } from './validate-environment';

describe(validateEnvironment.name, () => {
  it('applies DESIGN.md defaults to an empty environment', () => {
    expect({ ...validateEnvironment({}) }).toEqual({
      BROKER_URL: 'amqp://guest:guest@127.0.0.1:5672//',
      RESULT_BACKEND_URL: 'redis://127.0.0.1:6379/0',
      API_PORT: 8000,
      WORKER_QUEUES: 'default-sum',
      WORKER_CONCURRENCY: 2,
      WORKER_HEALTH_PORT: 8002,
      WORKER_SHUTDOWN_TIMEOUT: 30,
      MONITOR_PORT: 5555,
      TASK_DEFAULT_QUEUE: 'default-sum',
      TASK_TIME_SCALE: 1,
      TASK_SOFT_TIME_LIMIT: 600,
      TASK_TIME_LIMIT: 1200,
      RESULT_EXPIRES: 86400,
      LOG_LEVEL: 'info',
    });
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
    ['TASK_TIME_SCALE', '-1'],
    ['RESULT_EXPIRES', '1.5'],
    ['LOG_LEVEL', 'loud'],
  ])('refuses %s=%s, naming the variable', (name, value) => {
    expect(() => validateEnvironment({ [name]: value })).toThrow(
      ConfigValidationError,
    );
    expect(() => validateEnvironment({ [name]: value })).toThrow(name);
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
