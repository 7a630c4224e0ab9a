export * from './duplicate-task.error';
export * from './task-arguments.error';
