import { HttpStatus } from '@nestjs/common';

/**
 * The stable `code` of every problem body (RFC 9457) the apps answer with:
 * one dialect for the api and the monitor, so a client handles both alike.
 */
export enum ProblemCode {
  ValidationFailed = 'VALIDATION_FAILED',
  NotFound = 'NOT_FOUND',
  BadRequest = 'BAD_REQUEST',
  Conflict = 'CONFLICT',
  MalformedJson = 'MALFORMED_JSON',
  BodyTooDeep = 'BODY_TOO_DEEP',
  Unauthorized = 'UNAUTHORIZED',
  Forbidden = 'FORBIDDEN',
  AuthenticationNotConfigured = 'AUTHENTICATION_NOT_CONFIGURED',
  ReadOnly = 'READ_ONLY',
  CrossSiteRequest = 'CROSS_SITE_REQUEST',
  PayloadTooLarge = 'PAYLOAD_TOO_LARGE',
  RateLimited = 'RATE_LIMITED',
  HttpError = 'HTTP_ERROR',
  NotReady = 'NOT_READY',
  Unavailable = 'UNAVAILABLE',
  BrokerUnavailable = 'BROKER_UNAVAILABLE',
  ResultBackendUnavailable = 'RESULT_BACKEND_UNAVAILABLE',
  WorkerFailed = 'WORKER_FAILED',
  InternalError = 'INTERNAL_ERROR',
  TaskNotRegistered = 'TASK_NOT_REGISTERED',
  QueueNotAllowed = 'QUEUE_NOT_ALLOWED',
  WorkflowInvalid = 'WORKFLOW_INVALID',
  ScheduleExists = 'SCHEDULE_EXISTS',
  IdempotencyKeyInvalid = 'IDEMPOTENCY_KEY_INVALID',
  IdempotencyRequestInProgress = 'IDEMPOTENCY_REQUEST_IN_PROGRESS',
  IdempotencyKeyReused = 'IDEMPOTENCY_KEY_REUSED',
  BatchTooLarge = 'BATCH_TOO_LARGE',
  BatchRejected = 'BATCH_REJECTED',
}

/** The code of an HTTP error that carries none of its own. */
export function problemCodeOfStatus(status: number): ProblemCode {
  if (status === 404) {
    return ProblemCode.NotFound;
  }
  if (status === 400) {
    return ProblemCode.BadRequest;
  }
  return ProblemCode.HttpError;
}

/** The problem title of a status: its reason phrase, `Bad Request`. */
export function titleOf(status: number): string {
  const name = HttpStatus[status] as string | undefined;
  if (!name) {
    return 'Error';
  }
  return name
    .toLowerCase()
    .split('_')
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join(' ');
}
