import { ConfigurableModuleBuilder } from '@nestjs/common';

/** Options of `TasksModule.forRoot` / `forRootAsync`. */
export interface TasksModuleOptions {
  /** Where a task goes when neither the caller nor its declaration names a queue. */
  defaultQueue: string;
  /** Multiplies the seed tasks' sleeps; 0 in tests. */
  timeScale: number;
  /** This process's node name, written as `hostname` in STARTED results. */
  hostname: string;
  /** Tasks one worker runs at once. */
  concurrency: number;
  /** Default soft time limit in seconds (Celery's task_soft_time_limit). */
  softTimeLimit: number;
  /** Default hard time limit in seconds (Celery's task_time_limit). */
  timeLimit: number;
  /**
   * Celery's `task_track_started`: write STARTED when a task begins. Default
   * true (Celery's is false; celeriac's api reports STARTED).
   */
  trackStarted?: boolean;
  /**
   * Celery's `task_allow_error_cb_on_chord_header` (default false): a
   * chord's `link_error` given to `/v1/workflows` goes to each header
   * member too, immutable, not only to the body.
   */
  allowErrorCbOnChordHeader?: boolean;
  /**
   * Where task rate limits are counted: one budget in Redis for the whole
   * cluster (default), or per worker as Celery does.
   */
  rateLimitScope?: 'cluster' | 'worker';
  /** Seconds before a dead worker's concurrency-key slots return. Default 10. */
  concurrencyLeaseTimeout?: number;
}

export const {
  ConfigurableModuleClass: ConfigurableTasksModule,
  MODULE_OPTIONS_TOKEN: TASKS_MODULE_OPTIONS,
} = new ConfigurableModuleBuilder<TasksModuleOptions>()
  .setClassMethodName('forRoot')
  .build();
