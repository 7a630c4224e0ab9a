export * from './celery-trace-context';
export * from './celery-span-attributes';
export * from './publish-span';
