import { Module } from '@nestjs/common';
import { CeleryBuiltinTasks } from './celery-builtins.tasks';
import { CeleryCanvasTasks } from './celery-canvas.tasks';

/**
 * Registers Celery's builtin tasks: `celery.accumulate`, `celery.map`,
 * `celery.starmap`, `celery.chunks`, `celery.group`, `celery.chord`,
 * `celery.chain`, `celery.backend_cleanup`.
 */
@Module({ controllers: [CeleryBuiltinTasks, CeleryCanvasTasks] })
export class CeleryBuiltinsModule {}
