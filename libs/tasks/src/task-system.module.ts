import { type DynamicModule, Module } from '@nestjs/common';
import { BrokerModule } from '@celeriac/broker';
import {
  CeleriacConfig,
  CeleriacConfigModule,
  CeleriacLoggerModule,
} from '@celeriac/config';
import { ResultsModule } from '@celeriac/results';
import { ScheduleModule } from '@celeriac/schedule';
import { TasksModule } from './tasks.module';

/**
 * What every celeriac app needs, wired from the validated environment:
 * config, pino logging, the broker client, the result backend and the task
 * registry / producer / executor, and the schedule queue that keeps
 * far-off ETAs in Redis (all global).
 */
@Module({})
export class TaskSystemModule {
  /** @param app names this app's RabbitMQ connection, e.g. `api`. */
  static forApp(app: string): DynamicModule {
    return {
      module: TaskSystemModule,
      imports: [
        CeleriacConfigModule.forRoot(),
        CeleriacLoggerModule,
        BrokerModule.forRootAsync({
          inject: [CeleriacConfig],
          useFactory: (config: CeleriacConfig) => ({
            url: config.broker.url,
            connectionName: `celeriac-${app} ${config.worker.hostname}`,
          }),
        }),
        ResultsModule.forRootAsync({
          inject: [CeleriacConfig],
          useFactory: (config: CeleriacConfig) => ({
            url: config.results.url,
            expiresSeconds: config.results.expiresSeconds,
          }),
        }),
        ScheduleModule.forRoot(),
        TasksModule.forRootAsync({
          inject: [CeleriacConfig],
          useFactory: (config: CeleriacConfig) => ({
            defaultQueue: config.tasks.defaultQueue,
            timeScale: config.tasks.timeScale,
            hostname: config.worker.hostname,
            concurrency: config.worker.concurrency,
            softTimeLimit: config.tasks.softTimeLimit,
            timeLimit: config.tasks.timeLimit,
            trackStarted: config.tasks.trackStarted,
          }),
        }),
      ],
    };
  }
}
