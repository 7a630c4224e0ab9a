export * from './invalid-schedule.error';
export * from './schedule-exists.error';
export * from './schedule-file.error';
export * from './schedule-not-found.error';
