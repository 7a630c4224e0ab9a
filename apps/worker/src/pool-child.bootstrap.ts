import { type DynamicModule, Module, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { TaskSystemModule } from '@celeriac/tasks';
import { PoolChildTransport } from '@celeriac/worker';

/**
 * Boots a pool child (WORKER_POOL processes / threads): `taskModules` with
 * their providers, and no consumer of its own. It runs the tasks its worker
 * sends it; the worker does all the rest. The modules must be the ones the
 * worker registers, or the child answers NotRegistered.
 */
export async function bootPoolChild(
  taskModules: (Type | DynamicModule)[],
): Promise<void> {
  @Module({
    imports: [TaskSystemModule.forApp('worker-child'), ...taskModules],
  })
  class PoolChildModule {}

  const app = await NestFactory.createMicroservice(PoolChildModule, {
    strategy: new PoolChildTransport(),
    bufferLogs: true,
  });
  app.useLogger(app.get(Logger));
  await app.listen();
}
