/** The BullMQ queue beat processes: delayed tasks and periodic ticks. */
export const SCHEDULE_QUEUE = 'celeriac.schedule';

/** BullMQ job names in {@link SCHEDULE_QUEUE}. */
export enum ScheduleJobName {
  /** A Celery message kept until its ETA, then published unchanged. */
  Delayed = 'delayed-task',
  /** One tick of a periodic schedule: a new task is published. */
  Periodic = 'periodic-task',
}

/** Where the api and beat read and write schedules: the BullMQ job schedulers. */
export const SCHEDULE_MODULE_OPTIONS = 'SCHEDULE:MODULE_OPTIONS';
