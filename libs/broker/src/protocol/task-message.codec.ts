import type {
  MessageEmbed,
  SignatureDict,
  TaskHeaders,
  TaskMessage,
} from './celery-message';
import { fromAmqpHeaders, toAmqpHeaders } from './amqp-headers';
import { decodeKombuMarkers, encodeKombuMarkers } from './kombu-json';

// Like Python's bytes.decode('utf-8'): bad bytes are an error (kombu rejects
// the message), not U+FFFD; a BOM is kept, so JSON.parse refuses it as
// json.loads does.
const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

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
  const body = [
    encodeKombuMarkers(message.args),
    encodeKombuMarkers(message.kwargs),
    message.embed,
  ];
  const { properties } = message;
  return {
    content: Buffer.from(JSON.stringify(body), 'utf8'),
    options: {
      contentType: properties.contentType,
      contentEncoding: properties.contentEncoding,
      headers: toAmqpHeaders(message.headers),
      deliveryMode: properties.deliveryMode,
      correlationId: properties.correlationId,
      replyTo: properties.replyTo,
      ...(properties.priority === undefined
        ? {}
        : { priority: properties.priority }),
      ...(properties.expiration === undefined
        ? {}
        : { expiration: properties.expiration }),
    },
  };
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
  const fail = (reason: string): UndecodableMessage => ({
    ok: false,
    reason,
    ...(taskId === undefined ? {} : { taskId }),
    ...(task === undefined ? {} : { task }),
  });

  if (task === undefined || task === '' || taskId === undefined) {
    return fail(
      'not a Celery protocol v2 task message: headers "task" and "id" are required',
    );
  }
  const contentType = properties.contentType ?? 'application/data';
  if (contentType !== 'application/json') {
    return fail(
      `unsupported content type "${contentType}": only application/json is accepted`,
    );
  }
  const encoding = (properties.contentEncoding ?? 'utf-8').toLowerCase();
  if (encoding !== 'utf-8' && encoding !== 'utf8') {
    return fail(`unsupported content encoding "${encoding}"`);
  }
  if (headers.compression !== undefined && headers.compression !== null) {
    return fail(`compressed bodies are not supported`);
  }

  let text: string;
  try {
    text = UTF8.decode(content);
  } catch {
    return fail('body is not valid UTF-8');
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (error) {
    return fail(`body is not valid JSON: ${(error as Error).message}`);
  }
  if (!Array.isArray(body) || body.length !== 3) {
    return fail('body must be the JSON array [args, kwargs, embed]');
  }
  const [args, kwargs, embed] = body as unknown[];
  if (!Array.isArray(args)) {
    return fail('body[0] (args) must be an array');
  }
  if (!isPlainObject(kwargs)) {
    return fail('body[1] (kwargs) must be an object');
  }
  if (embed !== null && !isPlainObject(embed)) {
    return fail('body[2] (embed) must be an object or null');
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

function normalizeHeaders(
  raw: Record<string, unknown>,
  task: string,
  id: string,
): TaskHeaders {
  const timelimit = Array.isArray(raw.timelimit) ? raw.timelimit : [];
  return {
    ...raw,
    lang: stringOr(raw.lang, 'py'),
    task,
    id,
    shadow: stringOrNull(raw.shadow),
    eta: stringOrNull(raw.eta),
    expires: stringOrNull(raw.expires),
    group: stringOrNull(raw.group),
    group_index: numberOrNull(raw.group_index),
    retries: numberOrNull(raw.retries) ?? 0,
    timelimit: [numberOrNull(timelimit[0]), numberOrNull(timelimit[1])],
    root_id: stringOrNull(raw.root_id) ?? id,
    parent_id: stringOrNull(raw.parent_id),
    argsrepr: stringOr(raw.argsrepr, ''),
    kwargsrepr: stringOr(raw.kwargsrepr, ''),
    origin: stringOr(raw.origin, ''),
    ignore_result: raw.ignore_result === true,
  };
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
