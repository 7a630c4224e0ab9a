export * from './duplicate-task.error';
export * from './task-arguments.error';
export * from './time-limit.errors';
export * from './retry-request';
export * from './partially-published.error';
