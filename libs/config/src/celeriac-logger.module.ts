import { type DynamicModule, Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
import type { Options } from 'pino-http';
import { CeleriacConfig } from './celeriac-config';
import { stdoutLogOutput } from './log-output';
import { assignRequestId } from './request-id';
import { traceLogFields, tracingEnabled } from './tracing';

/** Whether a request is a health probe, which is not logged. */
export function isHealthProbe(url: string | undefined): boolean {
  return url?.startsWith('/health') ?? false;
}

/** How an app's requests get their log line. */
export interface CeleriacLoggerOptions {
  /**
   * true (default): pino-http as Nest middleware, every log line written
   * while a request is handled carrying its `req` (AsyncLocalStorage).
   * false: no middleware; the app logs its requests itself (the api's
   * Fastify hook, which spares each request @fastify/middie, the promise
   * hooks of AsyncLocalStorage and an eager child logger).
   */
  requestMiddleware?: boolean;
}

/**
 * Structured JSON logs (pino) for every app, at LOG_LEVEL; request logs
 * carry the request id (the client's valid `X-Request-Id` or a UUID, echoed
 * in the response), and health probes are not logged.
 */
@Module({})
export class CeleriacLoggerModule {
  static forRoot({
    requestMiddleware = true,
  }: CeleriacLoggerOptions = {}): DynamicModule {
    return {
      module: CeleriacLoggerModule,
      imports: [
        LoggerModule.forRootAsync({
          inject: [CeleriacConfig],
          useFactory: (config: CeleriacConfig) => {
            const options = pinoHttpOptions(config);
            // A turn's lines leave in one write (log-output.ts).
            const pinoHttp: [Options, DestinationStream] = [
              options,
              stdoutLogOutput(),
            ];
            return requestMiddleware
              ? { pinoHttp }
              : // No route: nestjs-pino then applies no middleware; the app
                // writes a line per request itself.
                { forRoutes: [], pinoHttp };
          },
        }),
      ],
    };
  }
}

function pinoHttpOptions(config: CeleriacConfig): Options {
  return {
    level: config.log.level,
    // Reuses an id given earlier in the pipeline (the api stamps it
    // before body parsing, so parser errors carry it too).
    genReqId: (request, response) => assignRequestId(request, response),
    autoLogging: {
      ignore: (request) => isHealthProbe(request.url),
    },
    redact: ['req.headers.authorization', 'req.headers.cookie'],
    // trace_id / span_id of the active span; not even a call when tracing is off.
    ...(tracingEnabled() ? { mixin: traceLogFields } : {}),
  };
}
