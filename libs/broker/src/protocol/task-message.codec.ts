import { isUtf8 } from 'node:buffer';
import type {
  MessageEmbed,
  SignatureDict,
  TaskHeaders,
  TaskMessage,
} from './celery-message';
import { fromAmqpHeaders, toAmqpHeaders } from './amqp-headers';
import { decodeKombuMarkers, encodeKombuMarkers } from './kombu-json';

/** AMQP publish options for one task message (amqplib's names). */
export interface EncodedTaskMessage {
  content: Buffer;
  options: {
    contentType: string;
    contentEncoding: string;
    headers: Record<string, unknown>;
    deliveryMode: number;
    correlationId: string;
    replyTo: string;
    priority?: number;
    expiration?: string;
  };
}

/** The AMQP properties a consumer receives (a subset of amqplib's). */
export interface ReceivedProperties {
  contentType?: string;
  contentEncoding?: string;
  headers?: Record<string, unknown>;
  deliveryMode?: number;
  priority?: number;
  correlationId?: string;
  replyTo?: string;
  expiration?: string;
}

/** Why a delivered message cannot be run, with whatever ids could be read. */
export interface UndecodableMessage {
  ok: false;
  reason: string;
  taskId?: string;
  task?: string;
}

/** A decoded message, or the reason it could not be decoded. */
export type DecodeResult =
  { ok: true; message: TaskMessage } | UndecodableMessage;

/**
 * Encodes a task message as Celery publishes it (§B): JSON body
 * `[args, kwargs, embed]`, headers with every integer as int32 (§B.11).
 */
export function encodeTaskMessage(message: TaskMessage): EncodedTaskMessage {
  const encoded = encodeTaskMessageUntyped(message);
  encoded.options.headers = toAmqpHeaders(message.headers);
  return encoded;
}

/**
 * {@link encodeTaskMessage} with the headers left as they are (untyped),
 * for a publisher that types them while it writes them
 * (transport/frame-publish.ts): one copy of every header less per message.
 */
export function encodeTaskMessageUntyped(
  message: TaskMessage,
): EncodedTaskMessage {
  const body = [
    encodeKombuMarkers(message.args),
    encodeKombuMarkers(message.kwargs),
    message.embed,
  ];
  const { properties } = message;
  const options: EncodedTaskMessage['options'] = {
    contentType: properties.contentType,
    contentEncoding: properties.contentEncoding,
    headers: message.headers,
    deliveryMode: properties.deliveryMode,
    correlationId: properties.correlationId,
    replyTo: properties.replyTo,
  };
  if (properties.priority !== undefined) {
    options.priority = properties.priority;
  }
  if (properties.expiration !== undefined) {
    options.expiration = properties.expiration;
  }
  return { content: Buffer.from(JSON.stringify(body), 'utf8'), options };
}

/**
 * Decodes a delivered protocol v2 message. Never throws: anything that is not
 * a runnable Celery JSON task comes back as `{ ok: false, reason }`, so the
 * consumer can reject it with that reason.
 */
export function decodeTaskMessage(
  content: Buffer,
  properties: ReceivedProperties,
): DecodeResult {
  const headers = fromAmqpHeaders(properties.headers);
  const taskId = typeof headers.id === 'string' ? headers.id : undefined;
  const task = typeof headers.task === 'string' ? headers.task : undefined;

  if (task === undefined || task === '' || taskId === undefined) {
    return undecodable(
      'not a Celery protocol v2 task message: headers "task" and "id" are required',
      taskId,
      task,
    );
  }
  const contentType = properties.contentType ?? 'application/data';
  if (contentType !== 'application/json') {
    return undecodable(
      `unsupported content type "${contentType}": only application/json is accepted`,
      taskId,
      task,
    );
  }
  const encoding = (properties.contentEncoding ?? 'utf-8').toLowerCase();
  if (encoding !== 'utf-8' && encoding !== 'utf8') {
    return undecodable(
      `unsupported content encoding "${encoding}"`,
      taskId,
      task,
    );
  }
  if (headers.compression !== undefined && headers.compression !== null) {
    return undecodable(`compressed bodies are not supported`, taskId, task);
  }

  // Like Python's bytes.decode('utf-8'): bad bytes are an error (kombu
  // rejects the message), not U+FFFD; a BOM is kept (toString keeps it), so
  // JSON.parse refuses it as json.loads does.
  if (!isUtf8(content)) {
    return undecodable('body is not valid UTF-8', taskId, task);
  }
  const text = content.toString('utf8');
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (error) {
    return undecodable(
      `body is not valid JSON: ${(error as Error).message}`,
      taskId,
      task,
    );
  }
  if (!Array.isArray(body) || body.length !== 3) {
    return undecodable(
      'body must be the JSON array [args, kwargs, embed]',
      taskId,
      task,
    );
  }
  const [args, kwargs, embed] = body as unknown[];
  if (!Array.isArray(args)) {
    return undecodable('body[0] (args) must be an array', taskId, task);
  }
  if (!isPlainObject(kwargs)) {
    return undecodable('body[1] (kwargs) must be an object', taskId, task);
  }
  if (embed !== null && !isPlainObject(embed)) {
    return undecodable(
      'body[2] (embed) must be an object or null',
      taskId,
      task,
    );
  }

  return {
    ok: true,
    message: {
      headers: normalizeHeaders(headers, task, taskId),
      properties: {
        contentType,
        contentEncoding: 'utf-8',
        correlationId: properties.correlationId ?? taskId,
        replyTo: properties.replyTo ?? '',
        deliveryMode: properties.deliveryMode ?? 2,
        ...(properties.priority === undefined
          ? {}
          : { priority: properties.priority }),
        ...(properties.expiration === undefined
          ? {}
          : { expiration: properties.expiration }),
      },
      args: decodeKombuMarkers(args) as unknown[],
      kwargs: decodeKombuMarkers(kwargs) as Record<string, unknown>,
      embed: normalizeEmbed(embed),
    },
  };
}

function undecodable(
  reason: string,
  taskId: string | undefined,
  task: string | undefined,
): UndecodableMessage {
  return {
    ok: false,
    reason,
    ...(taskId === undefined ? {} : { taskId }),
    ...(task === undefined ? {} : { task }),
  };
}

// `raw` is the decoder's own copy of the headers: completed in place (no
// second copy per message), the other headers kept as they came.
function normalizeHeaders(
  raw: Record<string, unknown>,
  task: string,
  id: string,
): TaskHeaders {
  const timelimit = Array.isArray(raw.timelimit) ? raw.timelimit : [];
  raw.lang = stringOr(raw.lang, 'py');
  raw.task = task;
  raw.id = id;
  raw.shadow = stringOrNull(raw.shadow);
  raw.eta = stringOrNull(raw.eta);
  raw.expires = stringOrNull(raw.expires);
  raw.group = stringOrNull(raw.group);
  raw.group_index = numberOrNull(raw.group_index);
  raw.retries = numberOrNull(raw.retries) ?? 0;
  raw.timelimit = [numberOrNull(timelimit[0]), numberOrNull(timelimit[1])];
  raw.root_id = stringOrNull(raw.root_id) ?? id;
  raw.parent_id = stringOrNull(raw.parent_id);
  raw.argsrepr = stringOr(raw.argsrepr, '');
  raw.kwargsrepr = stringOr(raw.kwargsrepr, '');
  raw.origin = stringOr(raw.origin, '');
  raw.ignore_result = raw.ignore_result === true;
  return raw as unknown as TaskHeaders;
}

function normalizeEmbed(raw: unknown): MessageEmbed {
  const embed = isPlainObject(raw) ? raw : {};
  return {
    callbacks: signatureList(embed.callbacks),
    errbacks: signatureList(embed.errbacks),
    chain: signatureList(embed.chain),
    chord: isPlainObject(embed.chord)
      ? (embed.chord as unknown as SignatureDict)
      : null,
  };
}

function signatureList(value: unknown): SignatureDict[] | null {
  return Array.isArray(value) ? (value as SignatureDict[]) : null;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function stringOr(value: unknown, fallback: string): string {
  return typeof value === 'string' ? value : fallback;
}

function stringOrNull(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

function numberOrNull(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}
