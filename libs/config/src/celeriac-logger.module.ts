import { Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { CeleriacConfig } from './celeriac-config';
import { stdoutLogOutput } from './log-output';
import { assignRequestId } from './request-id';
import { traceLogFields, tracingEnabled } from './tracing';

/**
 * Structured JSON logs (pino) for every app, at LOG_LEVEL; request logs
 * carry the request id (the client's valid `X-Request-Id` or a UUID, echoed
 * in the response), and health probes are not logged.
 */
@Module({
  imports: [
    LoggerModule.forRootAsync({
      inject: [CeleriacConfig],
      useFactory: (config: CeleriacConfig) => ({
        pinoHttp: [
          {
            level: config.log.level,
            // Reuses an id given earlier in the pipeline (the api stamps it
            // before body parsing, so parser errors carry it too).
            genReqId: (request, response) => assignRequestId(request, response),
            autoLogging: {
              ignore: (request) => request.url?.startsWith('/health') ?? false,
            },
            redact: ['req.headers.authorization', 'req.headers.cookie'],
            // trace_id / span_id of the active span; not even a call when tracing is off.
            ...(tracingEnabled() ? { mixin: traceLogFields } : {}),
          },
          // A turn's lines in one write (log-output.ts).
          stdoutLogOutput(),
        ],
      }),
    }),
  ],
})
export class CeleriacLoggerModule {}
