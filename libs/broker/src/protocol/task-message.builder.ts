import type {
  MessageEmbed,
  SignatureDict,
  TaskHeaders,
  TaskMessage,
} from './celery-message';
import { processOrigin, processReplyTo } from './process-identity';
import { argsRepr, kwargsRepr } from './py-repr';

/** What a caller knows about a task it is about to send. */
export interface TaskMessageSpec {
  task: string;
  id: string;
  args?: unknown[];
  kwargs?: Record<string, unknown>;
  /**
   * How Python would repr the args: `send_task(args=[1, 2])` gives a list,
   * a signature (`.s(1, 2)`, a chain step, a chord body) gives a tuple.
   */
  argsForm?: 'list' | 'tuple';
  rootId?: string;
  parentId?: string | null;
  groupId?: string | null;
  groupIndex?: number | null;
  retries?: number;
  eta?: Date | string | null;
  expires?: Date | string | null;
  timeLimit?: number | null;
  softTimeLimit?: number | null;
  ignoreResult?: boolean;
  shadow?: string | null;
  /**
   * AMQP priority. Celery's client sends 0; a worker continuing a chain sends
   * none (`undefined`).
   */
  priority?: number;
  replyTo?: string;
  origin?: string;
  /**
   * celeriac's per-message `max_retries` (an extra header Celery ignores),
   * overriding the task's declaration.
   */
  maxRetries?: number;
  chain?: SignatureDict[] | null;
  chord?: SignatureDict | null;
  callbacks?: SignatureDict[] | null;
  errbacks?: SignatureDict[] | null;
}

/**
 * Builds a protocol v2 task message with the full header set Celery writes
 * (celery-protocol.md §B.1-B.3), so Python workers, Flower and result readers
 * see what they would see from Python.
 *
 * @example
 * buildTaskMessage({ task: 'add_task', id: randomUUID(), args: [1, 2] })
 */
export function buildTaskMessage(spec: TaskMessageSpec): TaskMessage {
  const args = spec.args ?? [];
  const kwargs = spec.kwargs ?? {};
  const headers: TaskHeaders = {
    lang: 'py',
    task: spec.task,
    id: spec.id,
    shadow: spec.shadow ?? null,
    eta: toIso(spec.eta),
    expires: toIso(spec.expires),
    group: spec.groupId ?? null,
    group_index: spec.groupIndex ?? null,
    retries: spec.retries ?? 0,
    timelimit: [spec.timeLimit ?? null, spec.softTimeLimit ?? null],
    root_id: spec.rootId ?? spec.id,
    parent_id: spec.parentId ?? null,
    argsrepr: argsRepr(args, spec.argsForm ?? 'tuple'),
    kwargsrepr: kwargsRepr(kwargs),
    origin: spec.origin ?? processOrigin(),
    ignore_result: spec.ignoreResult ?? false,
    ...(spec.maxRetries === undefined ? {} : { max_retries: spec.maxRetries }),
  };
  const embed: MessageEmbed = {
    callbacks: spec.callbacks ?? null,
    errbacks: spec.errbacks ?? null,
    chain: spec.chain ?? null,
    chord: spec.chord ?? null,
  };
  return {
    headers,
    properties: {
      contentType: 'application/json',
      contentEncoding: 'utf-8',
      correlationId: spec.id,
      replyTo: spec.replyTo ?? processReplyTo(),
      deliveryMode: 2,
      ...(spec.priority === undefined ? {} : { priority: spec.priority }),
      ...expirationOf(spec.expires),
    },
    args,
    kwargs,
    embed,
  };
}

function toIso(value: Date | string | null | undefined): string | null {
  if (value === null || value === undefined) {
    return null;
  }
  return value instanceof Date ? toPythonIso(value) : value;
}

/** Celery writes aware datetimes: `2026-08-08T12:00:00.123000+00:00`. */
function toPythonIso(date: Date): string {
  return date.toISOString().replace(/\.(\d{3})Z$/, '.$1000+00:00');
}

/** §B.1: with `expires`, Celery also sets a per-message TTL in ms. */
function expirationOf(expires: Date | string | null | undefined): {
  expiration?: string;
} {
  if (expires === null || expires === undefined) {
    return {};
  }
  const at = expires instanceof Date ? expires : new Date(expires);
  if (Number.isNaN(at.getTime())) {
    return {};
  }
  return { expiration: String(Math.max(0, at.getTime() - Date.now())) };
}
