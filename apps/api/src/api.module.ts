import { Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { TerminusModule } from '@nestjs/terminus';
import { MetricsModule } from '@celeriac/config';
import {
  CeleryBuiltinsModule,
  SeedTasksModule,
  TaskSystemModule,
} from '@celeriac/tasks';
import { apiMetricsExposition } from './cluster/worker-metrics';
import { HealthController } from './health/health.controller';
import { IdempotencyModule } from './idempotency';
import { ApiMetrics } from './metrics/api-metrics';
import { ProblemDetailsFilter } from './problem/problem-details.filter';
import { ResultController } from './result/result.controller';
import { SecurityModule } from './security';
import { SoloController } from './solo/solo.controller';
import { StatusController } from './status/status.controller';
import { GroupsController } from './v1/groups.controller';
import { SchedulesController } from './v1/schedules.controller';
import { TasksBatchController } from './v1/tasks-batch.controller';
import { TasksController } from './v1/tasks.controller';
import { WorkflowsController } from './v1/workflows.controller';

/** The HTTP api: the seed's endpoints, Swagger and health. */
import { SendPolicy } from './v1/send-policy';

@Module({
  imports: [
    TaskSystemModule.forApp('api'),
    TerminusModule,
    // Under API_PROCESSES > 1, /metrics sums every worker's registry.
    MetricsModule.exposedBy(apiMetricsExposition),
    SecurityModule,
    IdempotencyModule,
    // The api sends these tasks; knowing them gives their queues and names.
    SeedTasksModule,
    CeleryBuiltinsModule,
  ],
  controllers: [
    StatusController,
    SoloController,
    ResultController,
    HealthController,
    TasksBatchController,
    TasksController,
    WorkflowsController,
    GroupsController,
    SchedulesController,
  ],
  providers: [
    { provide: APP_FILTER, useClass: ProblemDetailsFilter },
    ApiMetrics,
    SendPolicy,
  ],
})
export class ApiModule {}
