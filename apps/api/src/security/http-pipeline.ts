import { HttpStatus, type INestApplication } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyRequest } from 'fastify';
import { assignRequestId } from '@celeriac/config';
import {
  ProblemCode,
  ProblemException,
} from '../problem/problem-details.filter';
import { bytesOf, parseFormBody, parseJsonBody } from './body-parsers';
import { securityMessages } from './security.messages';

/** What {@link configureHttpPipeline} needs from the config. */
export interface HttpPipelineOptions {
  /** Largest JSON or form body, e.g. `1mb` (CeleriacConfig `api.bodyLimit`). */
  bodyLimit: string;
}

/**
 * The request pipeline in front of the routes (Fastify). Call it before
 * anything else that adds hooks or routes (Swagger) and before `init()` /
 * `listen()`:
 * 1. every request gets its X-Request-Id first, so every response carries
 *    it, parser errors and /docs included;
 * 2. a body declared larger than `bodyLimit` is a 413 problem before it is
 *    read (a chunked one is cut off at the limit, also a 413);
 * 3. JSON and form bodies are parsed up to `bodyLimit`, broken JSON is a 400
 *    problem with a fixed detail, a body nested deeper than MAX_BODY_DEPTH a
 *    400 problem (see body-parsers.ts); any other media type is read and
 *    dropped, so the route's validation answers it.
 */
export function configureHttpPipeline(
  app: INestApplication,
  { bodyLimit }: HttpPipelineOptions,
): void {
  if (!isFastifyApp(app)) {
    throw new Error('configureHttpPipeline needs the Fastify platform');
  }
  const limit = bytesOf(bodyLimit);
  const fastify = app.getHttpAdapter().getInstance();
  fastify.addHook('onRequest', (request, reply, done) => {
    assignRequestId(request.raw, reply.raw);
    done(
      declaredLength(request) > limit
        ? new ProblemException(
            HttpStatus.PAYLOAD_TOO_LARGE,
            ProblemCode.PayloadTooLarge,
            securityMessages.bodyTooLarge(bodyLimit),
          )
        : undefined,
    );
  });
  const options = { bodyLimit: limit };
  app.useBodyParser('application/json', options, (request, raw, done) =>
    done(null, parseJsonBody(request.headers, raw)),
  );
  app.useBodyParser(
    'application/x-www-form-urlencoded',
    options,
    (request, raw, done) => done(null, parseFormBody(request.headers, raw)),
  );
  // Fastify would parse text/plain, and answer any other type with a 415;
  // the api reads neither (as before, with Express).
  app.useBodyParser(['text/plain', '*'], options, (_request, _raw, done) =>
    done(null, undefined),
  );
}

function declaredLength(request: FastifyRequest): number {
  const header = request.headers['content-length'];
  return header === undefined ? 0 : Number(header) || 0;
}

function isFastifyApp(app: INestApplication): app is NestFastifyApplication {
  return app.getHttpAdapter().getType() === 'fastify';
}
