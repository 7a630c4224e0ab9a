import { applyDecorators, HttpStatus } from '@nestjs/common';
import { BrokerUnavailableError } from '@celeriac/broker';
import {
  isRedisUnavailable,
  ResultBackendUnavailableError,
} from '@celeriac/results';
import { ApiProblemResponse } from './api-problem-response';
import { ProblemCode } from './problem-details.filter';

/**
 * Seconds a client should wait before it tries again: the broker client
 * reconnects every second and the Redis client at most two seconds apart,
 * so a short blip is over by then.
 */
export const DEPENDENCY_RETRY_AFTER_SECONDS = 5;

/** A 503 for a dependency that is down, as the filter answers it. */
export interface DependencyProblem {
  code: ProblemCode.BrokerUnavailable | ProblemCode.ResultBackendUnavailable;
  detail: string;
  retryAfterSeconds: number;
}

const BROKER_DETAIL = 'RabbitMQ cannot take the task now. Retry later.';
const RESULT_BACKEND_DETAIL =
  'Redis, the result backend, cannot answer now. Retry later.';

/**
 * The 503 an error stands for when it says RabbitMQ or Redis is down (a
 * publish without confirm, a Redis command that never got through), or
 * null for any other error. The cause stays in the log, not the body.
 *
 * @example
 * dependencyProblemOf(new BrokerUnavailableError('not connected'))
 * // { code: 'BROKER_UNAVAILABLE', detail: 'RabbitMQ cannot…', retryAfterSeconds: 5 }
 */
export function dependencyProblemOf(
  exception: unknown,
): DependencyProblem | null {
  if (exception instanceof BrokerUnavailableError) {
    return {
      code: ProblemCode.BrokerUnavailable,
      detail: BROKER_DETAIL,
      retryAfterSeconds: DEPENDENCY_RETRY_AFTER_SECONDS,
    };
  }
  if (
    exception instanceof ResultBackendUnavailableError ||
    isRedisUnavailable(exception)
  ) {
    return {
      code: ProblemCode.ResultBackendUnavailable,
      detail: RESULT_BACKEND_DETAIL,
      retryAfterSeconds: DEPENDENCY_RETRY_AFTER_SECONDS,
    };
  }
  return null;
}

/** Swagger's side of {@link dependencyProblemOf} for a route that publishes. */
export function ApiPublishUnavailableProblems(
  instance: string,
): ReturnType<typeof applyDecorators> {
  const broker = ApiProblemResponse(
    HttpStatus.SERVICE_UNAVAILABLE,
    'RabbitMQ is down or did not confirm in 2 s; see Retry-After',
    { code: ProblemCode.BrokerUnavailable, detail: BROKER_DETAIL, instance },
  );
  return applyDecorators(broker, ApiResultBackendUnavailableProblem(instance));
}

/** Swagger's side of {@link dependencyProblemOf} for a route that reads or writes Redis. */
export function ApiResultBackendUnavailableProblem(
  instance: string,
): MethodDecorator & ClassDecorator {
  return ApiProblemResponse(
    HttpStatus.SERVICE_UNAVAILABLE,
    'Redis is down or did not answer in time; see Retry-After',
    {
      code: ProblemCode.ResultBackendUnavailable,
      detail: RESULT_BACKEND_DETAIL,
      instance,
    },
  );
}
