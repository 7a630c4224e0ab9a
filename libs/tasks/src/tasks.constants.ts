/** Metadata key of `@Task` options on a handler method. */
export const TASK_OPTIONS_METADATA = 'TASKS:TASK_OPTIONS';
