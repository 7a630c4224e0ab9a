import type { ArgumentsHost } from '@nestjs/common';
import { BrokerUnavailableError } from '@celeriac/broker';
import { ResultBackendUnavailableError } from '@celeriac/results';
import { MaxRetriesPerRequestError } from 'ioredis/built/errors';
import {
  DEPENDENCY_RETRY_AFTER_SECONDS,
  dependencyProblemOf,
} from './dependency.problems';
import { ProblemCode, ProblemDetailsFilter } from './problem-details.filter';

/** What the filter sent: status, headers and the parsed body. */
interface Sent {
  status?: number;
  headers: Record<string, string>;
  body?: Record<string, unknown>;
}

function answer(exception: unknown): Sent {
  const sent: Sent = { headers: {} };
  const response = {
    status(code: number) {
      sent.status = code;
      return response;
    },
    header(name: string, value: string) {
      sent.headers[name] = value;
      return response;
    },
    type(value: string) {
      sent.headers['Content-Type'] = value;
      return response;
    },
    send(body: string) {
      sent.body = JSON.parse(body) as Record<string, unknown>;
      return response;
    },
  };
  const host = {
    switchToHttp: () => ({
      getRequest: () => ({ originalUrl: '/v1/tasks', url: '/v1/tasks' }),
      getResponse: () => response,
    }),
  } as unknown as ArgumentsHost;
  new ProblemDetailsFilter().catch(exception, host);
  return sent;
}

describe(dependencyProblemOf.name, () => {
  it.each([
    [
      'a publish without a broker',
      new BrokerUnavailableError('not connected'),
      ProblemCode.BrokerUnavailable,
    ],
    [
      'a publish the broker did not confirm',
      new BrokerUnavailableError('no publisher confirm within 2000 ms'),
      ProblemCode.BrokerUnavailable,
    ],
    [
      'a PENDING mark Redis did not take',
      new ResultBackendUnavailableError('Connection is closed.'),
      ProblemCode.ResultBackendUnavailable,
    ],
    [
      "ioredis' MaxRetriesPerRequestError",
      new MaxRetriesPerRequestError(0),
      ProblemCode.ResultBackendUnavailable,
    ],
    [
      'a command refused while Redis is offline',
      new Error(
        "Stream isn't writeable and enableOfflineQueue options is false",
      ),
      ProblemCode.ResultBackendUnavailable,
    ],
    [
      'a command a hung Redis never answered',
      new Error('Command timed out'),
      ProblemCode.ResultBackendUnavailable,
    ],
    [
      'a refused connection',
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6379'), {
        code: 'ECONNREFUSED',
      }),
      ProblemCode.ResultBackendUnavailable,
    ],
  ])('maps %s to a 503', (_, error, code) => {
    expect(dependencyProblemOf(error)).toEqual({
      code,
      detail: expect.stringMatching(/Retry later\.$/),
      retryAfterSeconds: DEPENDENCY_RETRY_AFTER_SECONDS,
    });
  });

  it.each([
    ['a bug', new TypeError('x is undefined')],
    ['a Redis error reply', new Error('WRONGTYPE Operation against a key')],
    ['a non-error', 'boom'],
  ])('leaves %s alone', (_, error) => {
    expect(dependencyProblemOf(error)).toBeNull();
  });
});

describe('ProblemDetailsFilter with a dependency down', () => {
  it('answers 503 with Retry-After and the code naming the dependency', () => {
    const sent = answer(new BrokerUnavailableError('not connected'));
    expect(sent.status).toBe(503);
    expect(sent.headers).toEqual({
      'Retry-After': String(DEPENDENCY_RETRY_AFTER_SECONDS),
      'Content-Type': 'application/problem+json',
    });
    expect(sent.body).toEqual({
      type: 'about:blank',
      title: 'Service Unavailable',
      status: 503,
      detail: 'RabbitMQ cannot take the task now. Retry later.',
      instance: '/v1/tasks',
      code: 'BROKER_UNAVAILABLE',
    });
  });

  it('keeps an unknown error a 500 without Retry-After', () => {
    const sent = answer(new TypeError('x is undefined'));
    expect(sent.status).toBe(500);
    expect(sent.headers['Retry-After']).toBeUndefined();
    expect(sent.body).toMatchObject({ code: 'INTERNAL_ERROR' });
  });
});
