import { HttpStatus } from '@nestjs/common';
import {
  ProblemCode,
  ProblemException,
} from '../problem/problem-details.filter';
import {
  IDEMPOTENCY_KEY_HEADER,
  MAX_KEY_LENGTH,
} from './idempotency.constants';

// Printable ASCII: space through tilde. Control and non-ASCII characters are
// refused so a key means the same bytes to every client and proxy.
const PRINTABLE_ASCII = /^[\x20-\x7e]+$/;

/**
 * Reads the `Idempotency-Key` header.
 *
 * @param header - the raw header value as Node parsed it
 * @returns the key, or undefined when the request carries none
 * @throws ProblemException 400 when the key is empty, too long, repeated or
 *   not printable ASCII
 */
export function parseIdempotencyKey(
  header: string | string[] | undefined,
): string | undefined {
  if (header === undefined) {
    return undefined;
  }
  if (
    typeof header !== 'string' ||
    header.length > MAX_KEY_LENGTH ||
    !PRINTABLE_ASCII.test(header)
  ) {
    throw new ProblemException(
      HttpStatus.BAD_REQUEST,
      ProblemCode.IdempotencyKeyInvalid,
      `${IDEMPOTENCY_KEY_HEADER} must be 1 to ${MAX_KEY_LENGTH} printable ASCII characters.`,
    );
  }
  return header;
}
