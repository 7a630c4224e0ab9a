export * from './tracing-env';
export * from './start-tracing';
export * from './span-helpers';
export * from './trace-log-fields';
export * from './http-server-spans';
