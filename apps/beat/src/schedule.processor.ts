import { OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import { Logger } from '@nestjs/common';
import { type Job, UnrecoverableError } from 'bullmq';
import { CeleryClient } from '@celeriac/broker';
import {
  type DelayedTaskJobData,
  type PeriodicTaskJobData,
  retryBackoffMs,
  SCHEDULE_QUEUE,
  ScheduleJobName,
  tickTaskId,
} from '@celeriac/schedule';
import { TaskProducer } from '@celeriac/tasks';

type ScheduleJob = Job<DelayedTaskJobData | PeriodicTaskJobData>;

/**
 * Publishes what comes due in `celeriac.schedule` to RabbitMQ, with
 * publisher confirms: a delayed task's message unchanged, or a new task for
 * a periodic schedule's tick. A failed publish fails the job, and BullMQ
 * retries it (1 s to 30 s apart) until RabbitMQ takes it.
 */
@Processor(SCHEDULE_QUEUE, {
  settings: {
    backoffStrategy: (attemptsMade: number) => retryBackoffMs(attemptsMade),
  },
})
export class ScheduleProcessor extends WorkerHost {
  private readonly logger = new Logger(ScheduleProcessor.name);

  constructor(
    private readonly client: CeleryClient,
    private readonly producer: TaskProducer,
  ) {
    super();
  }

  async process(job: ScheduleJob): Promise<{ taskId: string }> {
    switch (job.name as ScheduleJobName) {
      case ScheduleJobName.Delayed:
        return this.publishDelayed(job.data as DelayedTaskJobData);
      case ScheduleJobName.Periodic:
        return this.publishTick(job as Job<PeriodicTaskJobData>);
      default:
        throw new UnrecoverableError(`unknown schedule job "${job.name}"`);
    }
  }

  @OnWorkerEvent('failed')
  onFailed(job: ScheduleJob | undefined, error: Error): void {
    this.logger.warn({
      msg: 'schedule job failed, will retry',
      job: job?.id,
      attempts: job?.attemptsMade,
      error: error.message,
    });
  }

  @OnWorkerEvent('error')
  onError(error: Error): void {
    this.logger.warn({ msg: 'schedule worker error', error: error.message });
  }

  private async publishDelayed({
    message,
    queue,
  }: DelayedTaskJobData): Promise<{ taskId: string }> {
    await this.client.publishTask(message, queue);
    this.logger.log({
      msg: 'delayed task published',
      taskId: message.headers.id,
      task: message.headers.task,
      eta: message.headers.eta,
      queue,
    });
    return { taskId: message.headers.id };
  }

  private async publishTick(
    job: Job<PeriodicTaskJobData>,
  ): Promise<{ taskId: string }> {
    const { name, task, args, kwargs, queue } = job.data;
    const tick = tickMillis(job);
    const { taskId } = await this.producer.sendTask(task, {
      args,
      kwargs,
      queue,
      taskId: tickTaskId(name, tick),
    });
    this.logger.log({
      msg: 'periodic task published',
      schedule: name,
      taskId,
      task,
      tick: new Date(tick).toISOString(),
    });
    return { taskId };
  }
}

/**
 * When this tick was due: BullMQ names a scheduler's jobs
 * `repeat:<scheduler id>:<due millis>`, the same on every replica.
 */
export function tickMillis(
  job: Pick<Job, 'id' | 'timestamp' | 'delay'>,
): number {
  const due = Number(job.id?.split(':').at(-1));
  return Number.isSafeInteger(due) ? due : job.timestamp + job.delay;
}
