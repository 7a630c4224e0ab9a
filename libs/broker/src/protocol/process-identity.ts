import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';

const replyTo = randomUUID();

// Read once, as Celery memoizes gethostname(): os.hostname() is a system
// call, and every published message asks for its origin.
let origin: string | undefined;

/**
 * The sender's node name, as Celery's `anon_nodename()` writes the `origin`
 * header: `gen<pid>@<hostname>`.
 */
export function processOrigin(): string {
  origin ??= `gen${process.pid}@${hostname()}`;
  return origin;
}

/**
 * One id per process, like Celery's `app.thread_oid`, sent as `reply_to`.
 * Only Celery's rpc backend reads it.
 */
export function processReplyTo(): string {
  return replyTo;
}
