import { Module } from '@nestjs/common';
import { CeleryBuiltinsModule, SeedTasksModule } from '@celeriac/tasks';

/**
 * The worker's tasks. The worker registers them, and each pool child
 * (WORKER_POOL processes / threads) boots them to run them.
 */
@Module({ imports: [SeedTasksModule, CeleryBuiltinsModule] })
export class WorkerTasksModule {}
