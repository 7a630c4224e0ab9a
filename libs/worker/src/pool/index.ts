export * from './task-runner';
export * from './child-pool';
export * from './pool-errors';
export * from './pool-child.transport';
export * from './pool-child-handle';
export * from './worker-pool.module';
