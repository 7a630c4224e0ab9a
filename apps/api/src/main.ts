import { NestFactory } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Logger } from 'nestjs-pino';
import { CeleriacConfig, exitOnSignals, startTracing } from '@celeriac/config';
import { ApiModule } from './api.module';
import { configureApi, createApiHttpAdapter } from './configure-api';

async function bootstrap(): Promise<void> {
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

bootstrap().catch((error: unknown) => {
  // The logger may not exist yet: a config error fails before it does.
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
