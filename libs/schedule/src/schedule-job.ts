import type { TaskMessage } from '@celeriac/broker';

/** A Celery message, exactly as it would have been published, and its queue. */
export interface DelayedTaskJobData {
  message: TaskMessage;
  queue: string;
}

/** Where a periodic schedule came from: the api, or BEAT_SCHEDULE_FILE. */
export type ScheduleSource = 'api' | 'file';

/** The job template of a periodic schedule: what each tick publishes. */
export interface PeriodicTaskJobData {
  /** The schedule's name (also the BullMQ job scheduler id). */
  name: string;
  task: string;
  args: unknown[];
  kwargs: Record<string, unknown>;
  /** Unset: the task's queue as the publisher knows it, else TASK_DEFAULT_QUEUE. */
  queue?: string;
  source: ScheduleSource;
}
