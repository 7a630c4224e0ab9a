import { Logger } from '@nestjs/common';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { IncomingMessage } from 'node:http';
import type { Logger as PinoRoot } from 'pino';
import { PinoLogger } from 'nestjs-pino';
import { isHealthProbe } from '@celeriac/config';

// pino's req serializer reads the query where Express (and middie) keep it.
type RawWithQuery = IncomingMessage & { query?: unknown };

/** The pino logger every app line goes through (LOG_LEVEL), once built. */
function rootLogger(): PinoRoot | undefined {
  return PinoLogger.root;
}

// The request as pino's serializers (and redact paths) take it: the raw
// request with its parsed query, as pino-http logged it under middie.
function rawOf(request: FastifyRequest): RawWithQuery {
  const raw: RawWithQuery = request.raw;
  raw.query = request.query;
  return raw;
}

/**
 * Logs every answered request once, at info, with the fields pino-http
 * wrote (`req` with its id, `res`, `responseTime`, and an `err` for a 5xx;
 * `request completed` / `request errored`), from a Fastify onResponse hook
 * instead of Nest middleware: no @fastify/middie, no AsyncLocalStorage (its
 * promise hooks taxed every promise), and nothing built when info is off.
 * Health probes are not logged.
 */
export function logRequests(fastify: FastifyInstance): void {
  fastify.addHook('onResponse', (request, reply, done) => {
    const root = rootLogger();
    if (root?.isLevelEnabled('info') && !isHealthProbe(request.url)) {
      logAnswered(root, request, reply);
    }
    done();
  });
}

function logAnswered(
  root: PinoRoot,
  request: FastifyRequest,
  reply: FastifyReply,
): void {
  const req = rawOf(request);
  const res = reply.raw;
  const responseTime = Math.round(reply.elapsedTime);
  if (res.statusCode >= 500) {
    const err = new Error(`failed with status code ${res.statusCode}`);
    root.info({ req, res, err, responseTime }, 'request errored');
  } else {
    root.info({ req, res, responseTime }, 'request completed');
  }
}

/**
 * Lines a component writes about one request: like Nest's Logger with a
 * context, plus the request's `req` (its id first), as every line of a
 * request carried under the middleware. Falls back to Nest's Logger where
 * there is no pino root (a unit test).
 */
export class RequestLog {
  private readonly fallback: Logger;

  constructor(private readonly context: string) {
    this.fallback = new Logger(context);
  }

  warn(request: FastifyRequest, fields: Record<string, unknown>): void {
    this.write('warn', request, fields);
  }

  error(request: FastifyRequest, fields: Record<string, unknown>): void {
    this.write('error', request, fields);
  }

  private write(
    level: 'warn' | 'error',
    request: FastifyRequest,
    fields: Record<string, unknown>,
  ): void {
    const root = rootLogger();
    if (!root || !request?.raw) {
      this.fallback[level](fields);
      return;
    }
    root[level]({ req: rawOf(request), context: this.context, ...fields });
  }
}
