import { Module } from '@nestjs/common';
import { CeleryBuiltinTasks } from './celery-builtins.tasks';
import { CeleryCanvasTasks } from './celery-canvas.tasks';
import { CeleryChordUnlockTask } from './celery-chord-unlock.task';

/**
 * Registers Celery's builtin tasks: `celery.accumulate`, `celery.map`,
 * `celery.starmap`, `celery.chunks`, `celery.group`, `celery.chord`,
 * `celery.chord_unlock`, `celery.chain`, `celery.backend_cleanup`.
 */
@Module({
  controllers: [CeleryBuiltinTasks, CeleryCanvasTasks, CeleryChordUnlockTask],
})
export class CeleryBuiltinsModule {}
