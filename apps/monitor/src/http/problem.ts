import {
  type ArgumentsHost,
  Catch,
  type ExceptionFilter,
  HttpException,
  HttpStatus,
  Logger,
} from '@nestjs/common';
import type { Request, Response } from 'express';
import {
  type DependencyCheck,
  notReadyOf,
  ProblemCode,
  problemCodeOfStatus,
  titleOf,
} from '@celeriac/config';

export { ProblemCode };

/** An error answered as an RFC 9457 problem body with a stable `code`. */
export class ProblemException extends HttpException {
  constructor(status: HttpStatus, code: ProblemCode, detail: string) {
    super({ code, detail }, status);
  }
}

export const notFound = (detail: string) =>
  new ProblemException(HttpStatus.NOT_FOUND, ProblemCode.NotFound, detail);
export const badRequest = (detail: string) =>
  new ProblemException(HttpStatus.BAD_REQUEST, ProblemCode.BadRequest, detail);

/**
 * Every error becomes `application/problem+json`:
 * `{type, title, status, detail, instance, code}`, as the api answers; a
 * failed readiness check adds `checks` and names what is down.
 * Unexpected errors are logged and answered 500 without their message.
 */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  private readonly logger = new Logger(ProblemFilter.name);

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const response = http.getResponse<Response>();
    const request = http.getRequest<Request>();
    if (response.headersSent) {
      response.end();
      return;
    }
    let status: number = HttpStatus.INTERNAL_SERVER_ERROR;
    let code: string = ProblemCode.InternalError;
    let detail = 'The monitor could not answer.';
    let checks: Record<string, DependencyCheck> | undefined;
    const notReady =
      exception instanceof HttpException ? notReadyOf(exception) : undefined;
    if (notReady) {
      status = HttpStatus.SERVICE_UNAVAILABLE;
      code = ProblemCode.NotReady;
      detail = notReady.detail;
      checks = notReady.checks;
    } else if (exception instanceof HttpException) {
      status = exception.getStatus();
      const body = exception.getResponse();
      if (typeof body === 'object' && body !== null && 'code' in body) {
        code = String(body.code);
        detail = textOf(
          (body as { detail?: unknown }).detail,
          exception.message,
        );
      } else {
        code = problemCodeOfStatus(status);
        const message = (body as { message?: unknown } | string | null) ?? '';
        detail =
          typeof message === 'string'
            ? message
            : textOf(message.message, exception.message);
      }
    } else {
      this.logger.error({ msg: 'unexpected error', err: String(exception) });
    }
    response
      .status(status)
      .type('application/problem+json')
      .send(
        JSON.stringify({
          type: 'about:blank',
          title: titleOf(status),
          status,
          detail,
          instance: request.originalUrl ?? request.url,
          code,
          ...(checks ? { checks } : {}),
        }),
      );
  }
}

// Nest's own errors carry a string, or a list of strings, as message.
function textOf(value: unknown, fallback: string): string {
  if (typeof value === 'string') {
    return value;
  }
  if (Array.isArray(value) && value.every((item) => typeof item === 'string')) {
    return value.join('; ');
  }
  return fallback;
}
