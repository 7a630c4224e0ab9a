import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';

const replyTo = randomUUID();

/**
 * The sender's node name, as Celery's `anon_nodename()` writes the `origin`
 * header: `gen<pid>@<hostname>`.
 */
export function processOrigin(): string {
  return `gen${process.pid}@${hostname()}`;
}

/**
 * One id per process, like Celery's `app.thread_oid`, sent as `reply_to`.
 * Only Celery's rpc backend reads it.
 */
export function processReplyTo(): string {
  return replyTo;
}
