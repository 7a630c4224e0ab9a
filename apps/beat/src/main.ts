import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { CeleriacConfig, exitOnSignals, startTracing } from '@celeriac/config';
import { BeatModule } from './beat.module';

async function bootstrap(): Promise<void> {
  // Before anything that could start a span; a no-op unless OTEL_* asks for it.
  await startTracing('celeriac-beat');
  const app = await NestFactory.create(BeatModule, { bufferLogs: true });
  const logger = app.get(Logger);
  app.useLogger(logger);
  const { beat } = app.get(CeleriacConfig);
  await app.listen(beat.healthPort, beat.healthHost);
  exitOnSignals(app, logger);
  logger.log({
    msg: 'beat publishing celeriac.schedule',
    healthPort: beat.healthPort,
    healthHost: beat.healthHost,
    scheduleFile: beat.scheduleFile ?? null,
    delayThresholdSeconds: beat.delayThresholdSeconds,
  });
}

bootstrap().catch((error: unknown) => {
  // The logger may not exist yet: a config or schedule-file error fails before it does.
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
