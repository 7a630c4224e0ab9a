import {
  ArgumentsHost,
  Catch,
  ExceptionFilter,
  HttpException,
  HttpStatus,
} from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  assignRequestId,
  notReadyOf,
  ProblemCode,
  problemCodeOfStatus,
  titleOf,
} from '@celeriac/config';
import { RequestLog } from '../logging/request-logging';
import { dependencyProblemOf } from './dependency.problems';
import type { FieldErrorDto, ProblemDto } from './problem.dto';

// One dialect of codes and titles for every app (libs/config).
export { ProblemCode, titleOf };

/** The whole detail of a 500: what failed stays in the log. */
export const INTERNAL_ERROR_DETAIL =
  'The server could not answer this request.';

/** A 4xx the api raises on purpose, with its code and field errors. */
export class ProblemException extends HttpException {
  constructor(
    status: HttpStatus,
    readonly code: ProblemCode,
    detail: string,
    readonly errors?: FieldErrorDto[],
  ) {
    super(detail, status);
  }
}

/**
 * Turns every error into an `application/problem+json` body. A dependency
 * that is down (RabbitMQ, Redis) is a 503 with Retry-After, logged as a
 * warning. Unknown errors are logged once with their stack and answered
 * with a generic 500: no stack trace leaves the server.
 */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly log = new RequestLog(ProblemDetailsFilter.name);

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const response = http.getResponse<FastifyReply>();
    // Errors the router raises (a malformed URL) come before any hook: the
    // id is given here then.
    if (request.raw && response.raw) {
      assignRequestId(request.raw, response.raw);
    }
    // A hostile URL is not echoed back whole.
    const instance = (request.originalUrl ?? request.url).slice(0, 256);
    const unavailable = dependencyProblemOf(exception);
    if (unavailable) {
      this.log.warn(request, {
        msg: 'dependency unavailable',
        code: unavailable.code,
        reason: exception instanceof Error ? exception.message : undefined,
        url: instance,
      });
      const status = HttpStatus.SERVICE_UNAVAILABLE;
      const problem: ProblemDto = {
        type: 'about:blank',
        title: titleOf(status),
        status,
        detail: unavailable.detail,
        instance,
        code: unavailable.code,
      };
      response
        .status(status)
        .header('Retry-After', String(unavailable.retryAfterSeconds))
        .type('application/problem+json')
        .send(JSON.stringify(problem));
      return;
    }
    const problem = problemOf(exception, instance);
    if (problem.status >= 500) {
      this.log.error(request, {
        msg: 'request failed',
        err: exception,
        url: problem.instance,
      });
    }
    response
      .status(problem.status)
      .type('application/problem+json')
      .send(JSON.stringify(problem));
  }
}

/** The problem body of an error that is not a dependency outage. */
export function problemOf(exception: unknown, instance: string): ProblemDto {
  if (exception instanceof ProblemException) {
    return {
      type: 'about:blank',
      title: titleOf(exception.getStatus()),
      status: exception.getStatus(),
      detail: exception.message,
      instance,
      code: exception.code,
      ...(exception.errors ? { errors: exception.errors } : {}),
    };
  }
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    if (isBodyTooLarge(exception)) {
      return {
        type: 'about:blank',
        title: titleOf(status),
        status,
        detail: BODY_TOO_LARGE_DETAIL,
        instance,
        code: ProblemCode.PayloadTooLarge,
      };
    }
    const notReady = notReadyOf(exception);
    if (notReady) {
      return {
        type: 'about:blank',
        title: titleOf(status),
        status,
        detail: notReady.detail,
        instance,
        code: ProblemCode.NotReady,
        checks: notReady.checks,
      };
    }
    return {
      type: 'about:blank',
      title: titleOf(status),
      status,
      detail: detailOf(exception),
      instance,
      code: problemCodeOfStatus(status),
    };
  }
  return {
    type: 'about:blank',
    title: titleOf(500),
    status: 500,
    detail: INTERNAL_ERROR_DETAIL,
    instance,
    code: ProblemCode.InternalError,
  };
}

// A chunked body cut off at the limit (a declared one is refused earlier,
// with the limit named: see configureHttpPipeline).
const BODY_TOO_LARGE_DETAIL =
  'The request body is larger than this api accepts.';

function isBodyTooLarge(exception: HttpException): boolean {
  const { cause } = exception;
  return (
    typeof cause === 'object' &&
    cause !== null &&
    'code' in cause &&
    cause.code === 'FST_ERR_CTP_BODY_TOO_LARGE'
  );
}

// Nest's own 4xx bodies carry a message string or list; keep it as the detail.
function detailOf(exception: HttpException): string {
  const body = exception.getResponse();
  if (typeof body === 'object' && body !== null && 'message' in body) {
    const message = body.message;
    return Array.isArray(message) ? message.join('; ') : String(message);
  }
  return exception.message;
}
