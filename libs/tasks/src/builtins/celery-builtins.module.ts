import { Module } from '@nestjs/common';
import { CeleryBuiltinTasks } from './celery-builtins.tasks';

/** Registers Celery's builtin tasks (`celery.accumulate`). */
@Module({ controllers: [CeleryBuiltinTasks] })
export class CeleryBuiltinsModule {}
