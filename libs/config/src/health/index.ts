export * from './not-ready';
