import { HttpException, type INestApplication } from '@nestjs/common';
import {
  FastifyAdapter,
  type NestFastifyApplication,
} from '@nestjs/platform-fastify';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import type { IncomingMessage } from 'node:http';
import {
  assignRequestId,
  CeleriacConfig,
  httpServerSpans,
  resolveRequestId,
  tracingEnabled,
} from '@celeriac/config';
import { logRequests } from './logging/request-logging';
import { problemOf } from './problem/problem-details.filter';
import { FastValidationPipe } from './problem/fast-validation.pipe';
import { createValidationPipe } from './problem/validation.pipe';
import { configureHttpPipeline } from './security';
import { setupSwagger } from './swagger/setup-swagger';

/**
 * The api's HTTP platform: Fastify (about half the CPU per request of
 * Express under Nest). Routes match as they did on Express: any letter
 * case, with or without a trailing slash; a path parameter may be long
 * (the route's pipe answers a bad id with a problem, not the router).
 */
export function createApiHttpAdapter(): FastifyAdapter {
  return new FastifyAdapter({
    // Fastify's request id is the X-Request-Id the api echoes and logs.
    genReqId: (request: IncomingMessage) =>
      resolveRequestId(request.headers['x-request-id']),
    frameworkErrors: answerRouterError,
    // No Nest middleware in the api (requests are logged from a Fastify
    // hook): @fastify/middie would still run for every request.
    skipMiddie: true,
    // A request that reaches the api while it closes is answered as any
    // other (the graceful close waits for it), not with Fastify's bare 503:
    // under API_PROCESSES the primary may still hand a closing worker a
    // connection it accepted a moment before.
    return503OnClosing: false,
    routerOptions: {
      caseSensitive: false,
      ignoreTrailingSlash: true,
      maxParamLength: 16_384,
    },
  });
}

/**
 * What the router refuses before any hook or Nest's exception layer runs (a
 * malformed escape in the path): a problem body with the request's id, like
 * every other error.
 */
function answerRouterError(
  error: FastifyError,
  request: FastifyRequest,
  reply: FastifyReply,
): void {
  assignRequestId(request.raw, reply.raw);
  const problem = problemOf(
    new HttpException(error.message, error.statusCode ?? 400),
    request.url.slice(0, 256),
  );
  void reply
    .status(problem.status)
    .type('application/problem+json')
    .send(JSON.stringify(problem));
}

/** Everything main.ts applies to the app, shared with the e2e tests. */
export function configureApi(app: INestApplication): void {
  // First, so the SERVER span covers every later hook and middleware.
  if (tracingEnabled()) {
    traceRequests(app as NestFastifyApplication);
  }
  configureHttpPipeline(app, {
    bodyLimit: app.get(CeleriacConfig).api.bodyLimit,
  });
  logRequests((app as NestFastifyApplication).getHttpAdapter().getInstance());
  app.useGlobalPipes(new FastValidationPipe(createValidationPipe()));
  setupSwagger(app);
}

/**
 * One SERVER span per request (httpServerSpans, on the raw request and
 * response). The router has matched before any hook runs: the route's
 * pattern is handed over where httpServerSpans looks for it (as Express
 * leaves it, `request.route.path`), so the span is named `GET /result/:task_id`.
 */
function traceRequests(app: NestFastifyApplication): void {
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onRequest', (request, reply, done) => {
      const route = request.routeOptions.url;
      if (route !== undefined) {
        Object.assign(request.raw, { route: { path: route } });
      }
      httpServerSpans(request.raw, reply.raw, () => done());
    });
}
