import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Queue } from 'bullmq';
import type { TaskMessage } from '@celeriac/broker';
import { delayBeyondThreshold, delayedJobId } from './delay-decision';
import {
  SCHEDULE_MODULE_OPTIONS,
  SCHEDULE_QUEUE,
  ScheduleJobName,
} from './schedule.constants';
import type { DelayedTaskJobData } from './schedule-job';
import { SCHEDULE_JOB_OPTIONS } from './schedule-job-options';
import type { ScheduleModuleOptions } from './schedule.module-options';

/**
 * Keeps countdown / ETA tasks in Redis (a BullMQ delayed job) instead of in
 * a worker's memory; beat publishes the message, unchanged, when it is due.
 * Used by the api's producer and by a worker handed a far-off ETA.
 */
@Injectable()
export class DelayedTaskScheduler {
  private readonly logger = new Logger(DelayedTaskScheduler.name);

  constructor(
    @InjectQueue(SCHEDULE_QUEUE)
    private readonly queue: Queue<DelayedTaskJobData>,
    @Inject(SCHEDULE_MODULE_OPTIONS)
    private readonly options: ScheduleModuleOptions,
  ) {}

  /**
   * Milliseconds this message should wait in BullMQ, or null when its ETA is
   * within BEAT_DELAY_THRESHOLD (or the handoff is off) and it goes on as usual.
   */
  delayOf(message: TaskMessage, nowMs: number = Date.now()): number | null {
    return delayBeyondThreshold(
      message.headers.eta,
      this.options.delayThresholdSeconds,
      nowMs,
    );
  }

  /**
   * Stores the message as a delayed job whose id is the task id: scheduling
   * the same task twice (a redelivery, a retried request) keeps one job.
   */
  async schedule(
    message: TaskMessage,
    queue: string,
    delayMs: number,
  ): Promise<void> {
    await this.queue.add(
      ScheduleJobName.Delayed,
      { message, queue },
      {
        ...SCHEDULE_JOB_OPTIONS,
        jobId: delayedJobId(message.headers.id),
        delay: Math.max(0, Math.round(delayMs)),
      },
    );
    this.logger.debug({
      msg: 'task delayed in the schedule queue',
      taskId: message.headers.id,
      task: message.headers.task,
      eta: message.headers.eta,
      queue,
    });
  }
}
