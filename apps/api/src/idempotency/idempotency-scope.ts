import { createHash } from 'node:crypto';
import { IDEMPOTENCY_KEY_PREFIX } from './idempotency.constants';

/** What a key is unique within: who asked, and which route. */
export interface IdempotencyScope {
  /** {@link callerScope} of the request. */
  caller: string;
  /** HTTP method, e.g. `POST`. */
  method: string;
  /** The request path without its query, e.g. `/v1/tasks/abc/revoke`. */
  path: string;
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/**
 * The caller part of the scope: a hash of the `Authorization` header, so two
 * callers never see each other's answers and no credential is stored; empty
 * for anonymous requests.
 */
export function callerScope(authorization: string | undefined): string {
  return authorization ? sha256Hex(authorization) : '';
}

/**
 * The Redis key of one scoped idempotency key. The parts are JSON-encoded
 * before hashing so no two different scopes can join into the same text.
 */
export function idempotencyRecordKey(
  scope: IdempotencyScope,
  key: string,
): string {
  const scoped = JSON.stringify([
    scope.caller,
    scope.method.toUpperCase(),
    scope.path,
    key,
  ]);
  return `${IDEMPOTENCY_KEY_PREFIX}${sha256Hex(scoped)}`;
}
