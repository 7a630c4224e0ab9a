export { redisTlsOptions, withoutTlsParameters } from './redis-tls';
export {
  DEFAULT_SENTINEL_MASTER,
  isSentinelUrl,
  redisConnectionOptions,
  type RedisConnectionOptions,
  type RedisTarget,
} from './redis-connection-options';
export {
  replicaWaitOf,
  type ReplicaWait,
  waitForReplicas,
} from './replica-wait';
export { CorruptResultError } from './errors/corrupt-result.error';
export {
  asResultBackendError,
  isRedisUnavailable,
  ResultBackendUnavailableError,
} from './errors/result-backend-unavailable.error';
export {
  createRedisClient,
  FAIL_FAST_COMMAND_TIMEOUT_MS,
  type RedisClientOptions,
  settleConnection,
} from './redis-client.factory';
export {
  chordCounterKey,
  chordJoinKey,
  chordSizeKey,
  groupMetaKey,
  normalizeKeyPrefix,
  revokedKey,
  taskMetaKey,
} from './result-keys';
export {
  ResultRepository,
  type ResultRepositoryOptions,
  type StoreResultExtra,
  type StoredGroup,
} from './result.repository';
export { isRedisOutage, storeProgressBestEffort } from './progress-store';
export { REDIS_CLIENT } from './results.constants';
export {
  RedisHealthIndicator,
  type RedisPingCheckOptions,
} from './results.health';
export {
  RESULTS_MODULE_OPTIONS,
  type ResultsModuleOptions,
} from './results.module-definition';
export { ResultsModule } from './results.module';
export {
  formatCeleryDate,
  toExceptionInfo,
  type ExceptionInfo,
  type TaskMeta,
} from './task-meta';
export {
  EXCEPTION_STATES,
  isReadyState,
  READY_STATES,
  TaskState,
} from './task-state';
export {
  ChordRepository,
  type ChordPart,
  type ChordProgress,
} from './chord.repository';
export {
  RevokedRepository,
  type RevokedRepositoryOptions,
} from './revoked.repository';
export { ResultWaiter } from './result-waiter';
