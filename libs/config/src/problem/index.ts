export * from './problem-code';
