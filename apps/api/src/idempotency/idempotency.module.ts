import { Module } from '@nestjs/common';
import { IdempotencyInterceptor } from './idempotency.interceptor';
import { IdempotencyStore } from './idempotency.store';

/**
 * `Idempotency-Key` support for `@Idempotent()` routes. Import it in the
 * module declaring them: the interceptor Nest builds there needs the store.
 * Redis comes from the global `REDIS_CLIENT` of ResultsModule.
 */
@Module({
  providers: [IdempotencyStore, IdempotencyInterceptor],
  exports: [IdempotencyStore, IdempotencyInterceptor],
})
export class IdempotencyModule {}
