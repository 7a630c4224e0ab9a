import { bootPoolChild } from './pool-child.bootstrap';
import { WorkerTasksModule } from './worker-tasks.module';

// A pool child of the worker: the worker's task module, nothing else.
bootPoolChild([WorkerTasksModule]).catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
