import { Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { CeleriacConfig } from './celeriac-config';

/**
 * Structured JSON logs (pino) for every app, at LOG_LEVEL; request logs
 * carry the request id, and health probes are not logged.
 */
@Module({
  imports: [
    LoggerModule.forRootAsync({
      inject: [CeleriacConfig],
      useFactory: (config: CeleriacConfig) => ({
        pinoHttp: {
          level: config.log.level,
          autoLogging: {
            ignore: (request) => request.url?.startsWith('/health') ?? false,
          },
          redact: ['req.headers.authorization', 'req.headers.cookie'],
        },
      }),
    }),
  ],
})
export class CeleriacLoggerModule {}
