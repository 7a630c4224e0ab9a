import { NestFactory } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Logger } from 'nestjs-pino';
import { CeleriacConfig, exitOnSignals, startTracing } from '@celeriac/config';
import { ApiModule } from './api.module';
import { configureApi, createApiHttpAdapter } from './configure-api';

/** One api process: the whole api, or one worker of the cluster primary. */
export async function bootstrapApi(): Promise<void> {
  // Before anything that could start a span; a no-op unless OTEL_* asks for it.
  await startTracing('celeriac-api');
  const app = await NestFactory.create<NestFastifyApplication>(
    ApiModule,
    createApiHttpAdapter(),
    { bufferLogs: true },
  );
  app.useLogger(app.get(Logger));
  configureApi(app);
  const { port, host } = app.get(CeleriacConfig).api;
  await app.listen(port, host);
  exitOnSignals(app, app.get(Logger));
  app.get(Logger).log({ msg: 'api listening', host, port });
}
