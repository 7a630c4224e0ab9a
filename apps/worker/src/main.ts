import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { CeleryServer } from '@celeriac/broker';
import { CeleriacConfig, exitOnSignals, startTracing } from '@celeriac/config';
import { WorkerControl } from '@celeriac/worker';
import { WorkerModule } from './worker.module';

async function bootstrap(): Promise<void> {
  // Before anything that could start a span; a no-op unless OTEL_* asks for it.
  await startTracing('celeriac-worker');
  const app = await NestFactory.create(WorkerModule, { bufferLogs: true });
  const logger = app.get(Logger);
  app.useLogger(logger);
  app.connectMicroservice(
    { strategy: app.get(CeleryServer) },
    { inheritAppConfig: true },
  );
  // Bootstrap hooks (the revoked ids) run before the first message.
  await app.init();
  await app.startAllMicroservices();
  const { worker } = app.get(CeleriacConfig);
  await app.listen(worker.healthPort, worker.healthHost);
  const warmShutdown = exitOnSignals(app, logger);
  // Celery's remote `shutdown` takes the SIGTERM path; the pidbox reply
  // handler returns first, so its consumer is not closed under it.
  app
    .get(WorkerControl)
    .onShutdownRequest(() => setImmediate(() => warmShutdown('remote')));
  logger.log({
    msg: 'worker consuming',
    node: worker.hostname,
    queues: worker.queues,
    concurrency: worker.concurrency,
    healthPort: worker.healthPort,
    healthHost: worker.healthHost,
  });
}

bootstrap().catch((error: unknown) => {
  // The logger may not exist yet: a config error fails before it does.
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
