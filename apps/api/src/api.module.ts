import { Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { TerminusModule } from '@nestjs/terminus';
import { BrokerModule } from '@celeriac/broker';
import {
  CeleriacConfig,
  CeleriacConfigModule,
  CeleriacLoggerModule,
} from '@celeriac/config';
import { ResultsModule } from '@celeriac/results';
import { SeedTasksModule, TasksModule } from '@celeriac/tasks';
import { HealthController } from './health/health.controller';
import { ProblemDetailsFilter } from './problem/problem-details.filter';
import { ResultController } from './result/result.controller';
import { SoloController } from './solo/solo.controller';
import { StatusController } from './status/status.controller';

/** The HTTP api: the seed's endpoints, Swagger and health. */
@Module({
  imports: [
    CeleriacConfigModule,
    CeleriacLoggerModule,
    TerminusModule,
    BrokerModule.forRootAsync({
      inject: [CeleriacConfig],
      useFactory: (config: CeleriacConfig) => ({
        url: config.broker.url,
        connectionName: 'celeriac-api',
      }),
    }),
    ResultsModule.forRootAsync({
      inject: [CeleriacConfig],
      useFactory: (config: CeleriacConfig) => ({
        url: config.results.url,
        expiresSeconds: config.results.expiresSeconds,
      }),
    }),
    TasksModule.forRootAsync({
      inject: [CeleriacConfig],
      useFactory: (config: CeleriacConfig) => ({
        defaultQueue: config.tasks.defaultQueue,
        timeScale: config.tasks.timeScale,
        hostname: config.worker.hostname,
      }),
    }),
    // The api sends these tasks; knowing them gives their queues and names.
    SeedTasksModule,
  ],
  controllers: [
    StatusController,
    SoloController,
    ResultController,
    HealthController,
  ],
  providers: [{ provide: APP_FILTER, useClass: ProblemDetailsFilter }],
})
export class ApiModule {}
