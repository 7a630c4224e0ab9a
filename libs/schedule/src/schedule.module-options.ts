/** What the schedule module reads from the validated environment. */
export interface ScheduleModuleOptions {
  /** BEAT_DELAY_THRESHOLD: ETAs further than this wait in BullMQ; 0 = never. */
  delayThresholdSeconds: number;
}
