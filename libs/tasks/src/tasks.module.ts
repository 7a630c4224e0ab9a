import { Global, Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { ChordCompletion } from './execution/chord-completion';
import { TaskAdmission } from './limits/task-admission';
import { PlanPublisher } from './producer/plan-publisher';
import { TaskRouter } from './producer/task-router';
import { TaskProducer } from './producer/task.producer';
import { TaskRegistry } from './registry/task.registry';
import {
  ConfigurableTasksModule,
  TASKS_MODULE_OPTIONS,
} from './tasks.module-definition';

/**
 * The task system's core: the registry of `@Task`s and the producer that
 * sends tasks and canvases (the engine that runs them is `@celeriac/worker`,
 * which only the worker imports). Needs `BrokerModule` and `ResultsModule`
 * registered in the app.
 */
@Global()
@Module({
  imports: [DiscoveryModule],
  providers: [
    TaskRegistry,
    TaskProducer,
    TaskAdmission,
    ChordCompletion,
    PlanPublisher,
    TaskRouter,
  ],
  exports: [
    TaskRegistry,
    TaskProducer,
    TaskAdmission,
    ChordCompletion,
    PlanPublisher,
    TaskRouter,
    TASKS_MODULE_OPTIONS,
  ],
})
export class TasksModule extends ConfigurableTasksModule {}
