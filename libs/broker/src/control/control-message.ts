import { matchesNode } from './node-matcher';

/** Where a Celery client waits for the replies to a request. */
export interface ControlReplyTo {
  exchange: string;
  routing_key: string;
}

/**
 * A remote-control request as kombu's `Mailbox._publish` writes it
 * (celery-protocol.md §D.6). Field names stay as Celery writes them.
 */
export interface ControlRequest {
  /** The command, e.g. `ping`, `revoke`, `stats`. */
  method: string;
  /** The command's keyword arguments (`{}` when Celery sent none). */
  arguments: Record<string, unknown>;
  /** Node names to run it on; null means every node. */
  destination: string[] | null;
  /** With `matcher`, selects nodes when there is no destination. */
  pattern: string | null;
  /** `glob` or `pcre`. */
  matcher: string | null;
  /** The client's id for this call; only calls that want replies have one. */
  ticket?: string;
  /** Present when the client waits for replies; casts have none. */
  reply_to?: ControlReplyTo;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function optionalString(value: unknown): string | null | undefined {
  if (value === undefined || value === null) {
    return null;
  }
  return typeof value === 'string' ? value : undefined;
}

function decodeDestination(value: unknown): string[] | null | undefined {
  if (value === undefined || value === null) {
    return null;
  }
  if (
    Array.isArray(value) &&
    value.every((node): node is string => typeof node === 'string')
  ) {
    return value;
  }
  return undefined;
}

function decodeReplyTo(value: unknown): ControlReplyTo | null | undefined {
  if (value === undefined || value === null) {
    return null;
  }
  if (
    isRecord(value) &&
    typeof value.exchange === 'string' &&
    typeof value.routing_key === 'string'
  ) {
    return { exchange: value.exchange, routing_key: value.routing_key };
  }
  return undefined;
}

function decodeArguments(value: unknown): Record<string, unknown> | undefined {
  // Celery's Node.dispatch treats any falsy arguments as {}.
  if (value === undefined || value === null) {
    return {};
  }
  return isRecord(value) ? value : undefined;
}

/**
 * Decodes a pidbox request body. Never throws: a body that is not JSON, not
 * an object, lacks a method or has a field of the wrong type gives null.
 *
 * @param content - the message body (utf-8 JSON)
 * @param contentType - the message's content type, when it has one; only
 *   `application/json` is accepted, as Celery's mailbox accepts only JSON
 */
export function decodeControlRequest(
  content: Buffer | string,
  contentType?: string,
): ControlRequest | null {
  if (contentType !== undefined && contentType !== 'application/json') {
    return null;
  }
  let body: unknown;
  try {
    body = JSON.parse(
      typeof content === 'string' ? content : content.toString('utf8'),
    );
  } catch {
    return null;
  }
  if (!isRecord(body) || typeof body.method !== 'string' || !body.method) {
    return null;
  }
  const args = decodeArguments(body.arguments);
  const destination = decodeDestination(body.destination);
  const pattern = optionalString(body.pattern);
  const matcher = optionalString(body.matcher);
  const replyTo = decodeReplyTo(body.reply_to);
  const ticket = optionalString(body.ticket);
  if (
    args === undefined ||
    destination === undefined ||
    pattern === undefined ||
    matcher === undefined ||
    replyTo === undefined ||
    ticket === undefined
  ) {
    return null;
  }
  return {
    method: body.method,
    arguments: args,
    destination,
    pattern,
    matcher,
    ...(ticket === null ? {} : { ticket }),
    ...(replyTo === null ? {} : { reply_to: replyTo }),
  };
}

/**
 * Whether this node should run the request, by kombu's `Node.handle_message`
 * rule: a non-empty destination must name the node; without one, a
 * `pattern` with a `matcher` must match it; otherwise every node runs it.
 *
 * @param request - the decoded request
 * @param hostname - this node's name
 */
export function isForNode(request: ControlRequest, hostname: string): boolean {
  const { destination, pattern, matcher } = request;
  if (destination && destination.length > 0) {
    return destination.includes(hostname);
  }
  if (pattern && matcher) {
    return matchesNode(hostname, pattern, matcher);
  }
  return true;
}

/**
 * The reply body Celery clients collect: the node's answer under its name,
 * `{"<hostname>": reply}`.
 *
 * @param hostname - this node's name
 * @param reply - the command's answer
 */
export function buildControlReply(
  hostname: string,
  reply: unknown,
): Record<string, unknown> {
  return { [hostname]: reply };
}
