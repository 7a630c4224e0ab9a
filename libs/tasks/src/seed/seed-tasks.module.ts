import { Module } from '@nestjs/common';
import { CpuDemoTasks } from './cpu-demo.tasks';
import { SeedTasks } from './seed.tasks';

/** Registers the seed's tasks and the CPU demos; a worker imports it to run them. */
@Module({ controllers: [SeedTasks, CpuDemoTasks] })
export class SeedTasksModule {}
