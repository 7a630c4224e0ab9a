import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** The header a request id arrives in and is echoed back in. */
export const REQUEST_ID_HEADER = 'X-Request-Id';

// 1 to 128 printable ASCII characters; no space at either end, as Node's
// parser trims those, so the echoed id would differ from the one sent.
const VALID_REQUEST_ID = /^[\x21-\x7e](?:[\x20-\x7e]{0,126}[\x21-\x7e])?$/;

// pino-http types `id` on IncomingMessage; this keeps the lib's own view.
type WithId = IncomingMessage & { id?: unknown };

/**
 * Whether a client's `X-Request-Id` can be kept: 1 to 128 printable ASCII
 * characters, so it is safe in a header and in a log line.
 *
 * @example isValidRequestId('checkout-42') // true
 */
export function isValidRequestId(value: unknown): value is string {
  return typeof value === 'string' && VALID_REQUEST_ID.test(value);
}

/** The client's request id when valid, else a fresh UUID. */
export function resolveRequestId(header: unknown): string {
  return isValidRequestId(header) ? header : randomUUID();
}

/** The id {@link assignRequestId} gave this request, if any. */
export function requestIdOf(request: IncomingMessage): string | undefined {
  const { id } = request as WithId;
  return typeof id === 'string' ? id : undefined;
}

/**
 * Gives the request its id once (kept on `request.id`, where pino-http and
 * the problem filter read it) and echoes it in the response's
 * `X-Request-Id`. Calling it again returns the same id.
 *
 * @returns the request's id
 */
export function assignRequestId(
  request: IncomingMessage,
  response: ServerResponse,
): string {
  const id =
    requestIdOf(request) ?? resolveRequestId(request.headers['x-request-id']);
  (request as WithId).id = id;
  if (!response.headersSent) {
    response.setHeader(REQUEST_ID_HEADER, id);
  }
  return id;
}
