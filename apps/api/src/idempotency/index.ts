export { canonicalJson, requestBodyHash } from './canonical-json';
export {
  DONE_TTL_SECONDS,
  IDEMPOTENCY_KEY_HEADER,
  IDEMPOTENT_REPLAYED_HEADER,
  PENDING_TTL_SECONDS,
} from './idempotency.constants';
export { IdempotencyInterceptor } from './idempotency.interceptor';
export { parseIdempotencyKey } from './idempotency-key';
export { IdempotencyModule } from './idempotency.module';
export {
  callerScope,
  idempotencyRecordKey,
  type IdempotencyScope,
} from './idempotency-scope';
export { IdempotencyStore } from './idempotency.store';
export { Idempotent } from './idempotent.decorator';
