import { Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { CeleriacConfig } from '@celeriac/config';
import type {
  MonitorClientConfig,
  MonitorQueue,
  MonitorStats,
  MonitorWorker,
} from '../contract/monitor-views';
import type { TaskWorkflow } from '../contract/workflow';
import { notFound } from '../http/problem';
import { accessPolicyOf, controlsAvailability } from '../http/monitor-access';
import { QueueWatcher } from '../queues/queue-watcher';
import { EventsState } from '../state/events-state';
import { presentWorker } from '../state/worker-record';
import { ThroughputStats } from '../stats/throughput-stats';
import { assembleWorkflow } from '../workflow/assemble-workflow';
import { CanvasIndex } from '../workflow/canvas-index';
import { checkPathName } from './task-options';
import { TaskService } from './task-service';

/** celeriac's extensions the dashboard reads (camelCase JSON). */
@Controller('api/monitor')
export class MonitorController {
  constructor(
    private readonly state: EventsState,
    private readonly queues: QueueWatcher,
    private readonly stats: ThroughputStats,
    private readonly tasks: TaskService,
    private readonly config: CeleriacConfig,
    private readonly canvases: CanvasIndex,
  ) {}

  /** Whether the dashboard shows its controls (MONITOR_READ_ONLY, credentials). */
  @Get('config')
  clientConfig(): MonitorClientConfig {
    return controlsAvailability(accessPolicyOf(this.config.monitor));
  }

  @Get('workers')
  workers(): MonitorWorker[] {
    const now = Date.now() / 1000;
    return this.state
      .allWorkers()
      .map((worker) => presentWorker(worker, now))
      .sort((a, b) => a.hostname.localeCompare(b.hostname));
  }

  @Get('queues')
  queueList(): Promise<MonitorQueue[]> {
    return this.queues.current();
  }

  @Get('stats')
  statistics(): MonitorStats {
    return this.stats.snapshot();
  }

  /**
   * The workflow the task belongs to: its tasks (planned ones PENDING) and
   * how they follow each other; 404 when the monitor knows neither the task
   * nor a plan naming it.
   */
  @Get('tasks/:id/workflow')
  workflow(@Param('id') id: string): TaskWorkflow {
    const workflow = assembleWorkflow(
      checkPathName('task id', id),
      this.canvases,
    );
    if (!workflow) {
      throw notFound(`Unknown task '${id}'`);
    }
    return workflow;
  }

  @Post('tasks/:id/retry')
  @HttpCode(200)
  async retry(@Param('id') id: string): Promise<{ 'task-id': string }> {
    return { 'task-id': await this.tasks.retry(checkPathName('task id', id)) };
  }
}
