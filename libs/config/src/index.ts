export * from './environment-variables';
export * from './validate-environment';
export * from './config-validation.error';
export * from './celeriac-config';
export * from './celeriac-config.module';
export * from './celeriac-logger.module';
export * from './request-id';
export * from './exit-on-signals';
