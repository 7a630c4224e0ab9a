import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Logger } from 'nestjs-pino';
import { CeleriacConfig, exitOnSignals, startTracing } from '@celeriac/config';
import { configureMonitor } from './http/configure-monitor';
import { MonitorModule } from './monitor.module';

async function bootstrap(): Promise<void> {
  // Before anything that could start a span; a no-op unless OTEL_* asks for it.
  await startTracing('celeriac-monitor');
  const app = await NestFactory.create<NestExpressApplication>(MonitorModule, {
    bufferLogs: true,
  });
  app.useLogger(app.get(Logger));
  configureMonitor(app);
  const { port, host } = app.get(CeleriacConfig).monitor;
  await app.listen(port, host);
  exitOnSignals(app, app.get(Logger));
  app.get(Logger).log({ msg: 'monitor listening', host, port });
}

bootstrap().catch((error: unknown) => {
  // The logger may not exist yet: a config error fails before it does.
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
