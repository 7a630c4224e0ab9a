export * from './metrics-exposition';
export * from './metrics.module';
export * from './metrics.controller';
