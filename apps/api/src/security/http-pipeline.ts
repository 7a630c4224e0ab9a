import { HttpStatus, type INestApplication, Logger } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NextFunction, Request, Response } from 'express';
import { assignRequestId, requestIdOf } from '@celeriac/config';
import {
  ProblemCode,
  ProblemException,
} from '../problem/problem-details.filter';
import { MAX_BODY_DEPTH, nestsDeeperThan } from './body-depth';
import { securityMessages } from './security.messages';

/** What {@link configureHttpPipeline} needs from the config. */
export interface HttpPipelineOptions {
  /** Largest JSON or form body, e.g. `1mb` (CeleriacConfig `api.bodyLimit`). */
  bodyLimit: string;
}

/**
 * The request pipeline in front of the routes. Call it before anything else
 * that adds middleware (Swagger) and before `init()` / `listen()`:
 * 1. every request gets its X-Request-Id first, so every response carries
 *    it, body-parser's errors and /docs included;
 * 2. JSON and form bodies are parsed up to `bodyLimit` (Nest's default
 *    parsers then stay out);
 * 3. a body over the limit is a 413 problem and broken JSON a 400 problem
 *    with a fixed detail (Nest's own would echo the body back);
 * 4. a body nested deeper than MAX_BODY_DEPTH is a 400 problem, before any
 *    recursive code (validation, the idempotency hash) can overflow on it.
 */
export function configureHttpPipeline(
  app: INestApplication,
  { bodyLimit }: HttpPipelineOptions,
): void {
  if (!isExpressApp(app)) {
    throw new Error('configureHttpPipeline needs the Express platform');
  }
  app.use((request: Request, response: Response, next: NextFunction) => {
    assignRequestId(request, response);
    next();
  });
  app.useBodyParser('json', { limit: bodyLimit });
  app.useBodyParser('urlencoded', { limit: bodyLimit, extended: true });
  app.use((request: Request, _response: Response, next: NextFunction) => {
    next(
      nestsDeeperThan(request.body, MAX_BODY_DEPTH)
        ? new ProblemException(
            HttpStatus.BAD_REQUEST,
            ProblemCode.BodyTooDeep,
            securityMessages.bodyTooDeep(MAX_BODY_DEPTH),
          )
        : undefined,
    );
  });
  const logger = new Logger('HttpPipeline');
  app.use(
    (error: unknown, request: Request, _res: Response, next: NextFunction) => {
      const problem = toBodyProblem(error, bodyLimit);
      if (problem) {
        // This request never reaches pino-http's middleware (it sits behind
        // the parsers), so this is the one line that carries its id.
        logger.log({
          msg: 'request body refused',
          req: { id: requestIdOf(request), method: request.method },
          status: problem.getStatus(),
        });
      }
      next(problem ?? error);
    },
  );
}

/** body-parser's error as a problem, or undefined for any other error. */
export function toBodyProblem(
  error: unknown,
  bodyLimit: string,
): ProblemException | undefined {
  const type =
    typeof error === 'object' && error !== null && 'type' in error
      ? error.type
      : undefined;
  switch (type) {
    case 'entity.too.large':
      return new ProblemException(
        HttpStatus.PAYLOAD_TOO_LARGE,
        ProblemCode.PayloadTooLarge,
        securityMessages.bodyTooLarge(bodyLimit),
      );
    case 'entity.parse.failed':
      return new ProblemException(
        HttpStatus.BAD_REQUEST,
        ProblemCode.MalformedJson,
        securityMessages.malformedJson(),
      );
    default:
      return undefined;
  }
}

function isExpressApp(app: INestApplication): app is NestExpressApplication {
  return 'useBodyParser' in app && typeof app.useBodyParser === 'function';
}
