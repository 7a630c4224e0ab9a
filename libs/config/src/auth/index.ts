export * from './bearer-keys';
