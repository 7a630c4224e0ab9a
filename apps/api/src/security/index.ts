export * from './security.module';
export * from './http-pipeline';
export * from './swagger-bearer';
export * from './route-access';
export * from './swagger-body';
