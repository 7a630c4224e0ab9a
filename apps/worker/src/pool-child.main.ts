import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { TaskSystemModule } from '@celeriac/tasks';
import { PoolChildTransport } from '@celeriac/worker';
import { WorkerTasksModule } from './worker-tasks.module';

/**
 * A pool child (WORKER_POOL processes / threads): the worker's task module
 * with its providers, and no consumer of its own. It runs the tasks its
 * worker sends it; the worker does all the rest.
 */
@Module({
  imports: [TaskSystemModule.forApp('worker-child'), WorkerTasksModule],
})
class PoolChildModule {}

async function bootstrap(): Promise<void> {
  const app = await NestFactory.createMicroservice(PoolChildModule, {
    strategy: new PoolChildTransport(),
    bufferLogs: true,
  });
  app.useLogger(app.get(Logger));
  await app.listen();
}

bootstrap().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
