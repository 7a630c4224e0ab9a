import { applyDecorators, HttpStatus, UseInterceptors } from '@nestjs/common';
import { ApiHeader } from '@nestjs/swagger';
import { ApiProblemResponse } from '../problem/api-problem-response';
import { ProblemCode } from '../problem/problem-details.filter';
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
    ApiProblemResponse(
      HttpStatus.BAD_REQUEST,
      `${IDEMPOTENCY_KEY_HEADER} is not 1 to ${MAX_KEY_LENGTH} printable ASCII characters`,
      {
        code: ProblemCode.IdempotencyKeyInvalid,
        detail: `${IDEMPOTENCY_KEY_HEADER} must be 1 to ${MAX_KEY_LENGTH} printable ASCII characters.`,
        instance: '/v1/tasks',
      },
    ),
    ApiProblemResponse(
      HttpStatus.CONFLICT,
      'A request with this Idempotency-Key is still running',
      {
        code: ProblemCode.IdempotencyRequestInProgress,
        detail: `A request with this ${IDEMPOTENCY_KEY_HEADER} is still being processed; retry later.`,
        instance: '/v1/tasks',
      },
    ),
    ApiProblemResponse(
      HttpStatus.UNPROCESSABLE_ENTITY,
      'Idempotency-Key reused with a different request',
      {
        code: ProblemCode.IdempotencyKeyReused,
        detail: `${IDEMPOTENCY_KEY_HEADER} reused with a different request.`,
        instance: '/v1/tasks',
      },
    ),
  );
}
