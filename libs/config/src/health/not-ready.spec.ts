import {
  BadRequestException,
  HttpException,
  ServiceUnavailableException,
} from '@nestjs/common';
import { notReadyOf } from './not-ready';

// The body Terminus's HealthCheckService throws when an indicator is down.
const terminusResult = (details: Record<string, unknown>) => ({
  status: 'error',
  info: {},
  error: {},
  details,
});

describe('notReadyOf', () => {
  it('names the one dependency that is down, and keeps each status without its message', () => {
    const exception = new ServiceUnavailableException(
      terminusResult({
        rabbitmq: { status: 'up' },
        redis: {
          status: 'down',
          message: 'connect ECONNREFUSED 10.0.0.7:6379',
        },
      }),
    );

    expect(notReadyOf(exception)).toEqual({
      detail: 'Not ready: redis is down.',
      checks: { rabbitmq: { status: 'up' }, redis: { status: 'down' } },
    });
  });

  it('names every dependency that is down', () => {
    const exception = new ServiceUnavailableException(
      terminusResult({
        rabbitmq: { status: 'down', message: 'not connected to RabbitMQ' },
        redis: { status: 'down' },
      }),
    );

    expect(notReadyOf(exception)?.detail).toBe(
      'Not ready: rabbitmq and redis are down.',
    );
  });

  it('counts an indicator without a status as down', () => {
    const exception = new ServiceUnavailableException(
      terminusResult({ redis: 'timed out' }),
    );

    expect(notReadyOf(exception)).toEqual({
      detail: 'Not ready: redis is down.',
      checks: { redis: { status: 'down' } },
    });
  });

  it.each([
    ['a 503 with a message', new ServiceUnavailableException('draining')],
    [
      'a 503 whose body is no failed check',
      new ServiceUnavailableException({ status: 'ok', details: {} }),
    ],
    [
      'another status with a check-like body',
      new BadRequestException(terminusResult({ redis: { status: 'down' } })),
    ],
    ['a plain HttpException', new HttpException('teapot', 418)],
  ])('leaves %s alone', (_, exception) => {
    expect(notReadyOf(exception)).toBeUndefined();
  });
});
