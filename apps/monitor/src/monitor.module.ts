import { Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { TerminusModule } from '@nestjs/terminus';
import { ScheduleBoardModule } from '@celeriac/schedule';
import { SeedTasksModule, TaskSystemModule } from '@celeriac/tasks';
import { EventsStreamController } from './api/events-stream.controller';
import { FlowerTasksController } from './api/flower-tasks.controller';
import { FlowerWorkersController } from './api/flower-workers.controller';
import { LimitsController } from './api/limits.controller';
import { MonitorController } from './api/monitor.controller';
import { TaskService } from './api/task-service';
import { EventsConsumer } from './events/events.consumer';
import { controlClientProvider } from './events/monitor-broker';
import {
  HealthcheckController,
  HealthController,
} from './health/health.controller';
import { HistoryLoader } from './history/history-loader';
import { ProblemFilter } from './http/problem';
import { ScheduleBoardAccess } from './http/schedule-board-access';
import { FlowerMetrics } from './metrics/flower-metrics';
import { MetricsController } from './metrics/metrics.controller';
import { QueueMetrics } from './metrics/queue-metrics';
import { ProgressListener } from './progress/progress.listener';
import { QueueWatcher } from './queues/queue-watcher';
import { EventsState } from './state/events-state';
import { ThroughputStats } from './stats/throughput-stats';
import { CanvasIndex } from './workflow/canvas-index';
import { WorkerInspector } from './workers/worker-inspector';

/**
 * The monitor: Flower's job (events, workers, queues, REST API, metrics), the
 * dashboard, and Bull Board for the schedule queue.
 */
@Module({
  imports: [
    TaskSystemModule.forApp('monitor'),
    TerminusModule,
    // Knowing the seed tasks gives their queues and lets async-apply check names.
    SeedTasksModule,
    // Bull Board at /queues: beat's delayed tasks and periodic ticks.
    ScheduleBoardModule,
  ],
  controllers: [
    FlowerTasksController,
    FlowerWorkersController,
    MonitorController,
    LimitsController,
    EventsStreamController,
    MetricsController,
    HealthController,
    HealthcheckController,
  ],
  providers: [
    controlClientProvider,
    EventsState,
    CanvasIndex,
    FlowerMetrics,
    ThroughputStats,
    WorkerInspector,
    QueueWatcher,
    QueueMetrics,
    EventsConsumer,
    HistoryLoader,
    ProgressListener,
    TaskService,
    ScheduleBoardAccess,
    { provide: APP_FILTER, useClass: ProblemFilter },
  ],
})
export class MonitorModule {}
