export { CorruptResultError } from './errors/corrupt-result.error.js';
export {
  createRedisClient,
  type RedisClientOptions,
} from './redis-client.factory.js';
export {
  chordCounterKey,
  chordJoinKey,
  chordSizeKey,
  groupMetaKey,
  normalizeKeyPrefix,
  taskMetaKey,
} from './result-keys.js';
export {
  ResultRepository,
  type ResultRepositoryOptions,
  type StoreResultExtra,
  type StoredGroup,
} from './result.repository.js';
export { REDIS_CLIENT } from './results.constants.js';
export {
  RedisHealthIndicator,
  type RedisPingCheckOptions,
} from './results.health.js';
export {
  RESULTS_MODULE_OPTIONS,
  type ResultsModuleOptions,
} from './results.module-definition.js';
export { ResultsModule } from './results.module.js';
export {
  formatCeleryDate,
  toExceptionInfo,
  type ExceptionInfo,
  type TaskMeta,
} from './task-meta.js';
export {
  EXCEPTION_STATES,
  isReadyState,
  READY_STATES,
  TaskState,
} from './task-state.js';
