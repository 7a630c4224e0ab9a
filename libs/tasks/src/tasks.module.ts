import { Global, Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { ChordCompletion } from './execution/chord-completion';
import { TaskEvents } from './execution/task-events';
import { TaskExecutor } from './execution/task.executor';
import { TaskAdmission } from './limits/task-admission';
import { PlanPublisher } from './producer/plan-publisher';
import { TaskProducer } from './producer/task.producer';
import { TaskRegistry } from './registry/task.registry';
import {
  ConfigurableTasksModule,
  TASKS_MODULE_OPTIONS,
} from './tasks.module-definition';

/**
 * The task system's core: the registry of `@Task`s, the producer that sends
 * tasks and canvases, and the executor a worker runs them with. Needs
 * `BrokerModule` and `ResultsModule` registered in the app.
 */
@Global()
@Module({
  imports: [DiscoveryModule],
  providers: [
    TaskRegistry,
    TaskProducer,
    TaskExecutor,
    TaskAdmission,
    TaskEvents,
    ChordCompletion,
    PlanPublisher,
  ],
  exports: [
    TaskRegistry,
    TaskProducer,
    TaskExecutor,
    TaskAdmission,
    TaskEvents,
    PlanPublisher,
    TASKS_MODULE_OPTIONS,
  ],
})
export class TasksModule extends ConfigurableTasksModule {}
