import { Module } from '@nestjs/common';
import { SeedTasks } from './seed.tasks';

/** Registers the seed's tasks; a worker imports it to run them. */
@Module({ controllers: [SeedTasks] })
export class SeedTasksModule {}
