import { Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { TerminusModule } from '@nestjs/terminus';
import { SeedTasksModule, TaskSystemModule } from '@celeriac/tasks';
import { HealthController } from './health/health.controller';
import { ProblemDetailsFilter } from './problem/problem-details.filter';
import { ResultController } from './result/result.controller';
import { SoloController } from './solo/solo.controller';
import { StatusController } from './status/status.controller';

/** The HTTP api: the seed's endpoints, Swagger and health. */
@Module({
  imports: [
    TaskSystemModule.forApp('api'),
    TerminusModule,
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
