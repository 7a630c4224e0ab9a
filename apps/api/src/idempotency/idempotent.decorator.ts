import { applyDecorators, UseInterceptors } from '@nestjs/common';
import {
  ApiConflictResponse,
  ApiHeader,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import { ProblemDto } from '../problem/problem.dto';
import {
  IDEMPOTENCY_KEY_HEADER,
  MAX_KEY_LENGTH,
} from './idempotency.constants';
import { IdempotencyInterceptor } from './idempotency.interceptor';

/**
 * Makes a route honour `Idempotency-Key` (see {@link IdempotencyInterceptor})
 * and documents the header. A method decorator only: applied to a class as
 * well as a method, the interceptor would run twice and answer 409.
 * The route's module must import `IdempotencyModule`.
 */
export function Idempotent(): MethodDecorator {
  return applyDecorators(
    UseInterceptors(IdempotencyInterceptor),
    ApiHeader({
      name: IDEMPOTENCY_KEY_HEADER,
      required: false,
      description: `1 to ${MAX_KEY_LENGTH} printable ASCII characters. The same key (per caller and route) within 24 h answers the first response again, with Idempotent-Replayed: true, and publishes once.`,
    }),
    ApiConflictResponse({
      type: ProblemDto,
      description: 'A request with this Idempotency-Key is still running',
    }),
    ApiUnprocessableEntityResponse({
      type: ProblemDto,
      description: 'Idempotency-Key reused with a different request',
    }),
  );
}
