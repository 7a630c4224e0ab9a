/**
 * One `basic.publish` as the bytes amqplib 2.x writes for it (method frame,
 * content header frame, body frames), encoded in one pass over the
 * message's Celery headers.
 *
 * Why not amqplib's encoder: its `Args.publish` wraps the headers in
 * `Object.create(headers)`, so `encodeTable`'s `for…in` walks a prototype
 * chain, and it writes each one-byte type tag with `Buffer#write`; the two
 * made header encoding most of the api's CPU per published task. The
 * bytes are the same (amqp-publish-frames.spec.ts compares them with
 * amqplib's own for every value type), including the typing rules of
 * {@link toAmqpHeaders} (celery-protocol.md §B.11), applied here directly.
 * Anything unusual (a value amqplib would guess a type for, a key or a
 * property over 255 bytes) returns `undefined`: the caller then publishes
 * through amqplib, which encodes it or throws as it always did.
 */

/** The AMQP basic properties a task publish carries (amqplib's names). */
export interface PublishProperties {
  contentType?: string;
  contentEncoding?: string;
  /** Celery's headers as JavaScript values, untyped or already typed. */
  headers?: Record<string, unknown>;
  deliveryMode?: number;
  priority?: number;
  correlationId?: string;
  replyTo?: string;
  expiration?: string;
}

const FRAME_METHOD = 1;
const FRAME_HEADER = 2;
const FRAME_BODY = 3;
const FRAME_END = 0xce;
// Frame type, channel, size before the payload; the end octet after it.
const FRAME_OVERHEAD = 8;
const BASIC_CLASS = 60;
const BASIC_PUBLISH = 40;
const SHORTSTR_MAX = 255;
const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;
const INT64_LIMIT = 2n ** 63n;
// amqplib encodes a header table in a 64 KiB buffer and throws past it.
const AMQPLIB_TABLE_LIMIT = 65_536;

// Property flags, in the order the properties are written (AMQP 0-9-1 §4.2.6).
const FLAG_CONTENT_TYPE = 0x8000;
const FLAG_CONTENT_ENCODING = 0x4000;
const FLAG_HEADERS = 0x2000;
const FLAG_DELIVERY_MODE = 0x1000;
const FLAG_PRIORITY = 0x0800;
const FLAG_CORRELATION_ID = 0x0400;
const FLAG_REPLY_TO = 0x0200;
const FLAG_EXPIRATION = 0x0100;

/** Thrown inside the encoder when a value needs amqplib's own handling. */
class NotEncodable extends Error {}
const NOT_ENCODABLE = new NotEncodable();

/**
 * A growable scratch buffer: strings are written straight into it, and a
 * string of n UTF-16 units takes at most 3n bytes, so `ensure` before a
 * write keeps `Buffer#write` from truncating.
 */
let scratch = Buffer.allocUnsafe(64 * 1024);
let at = 0;

function ensure(bytes: number): void {
  if (at + bytes <= scratch.length) {
    return;
  }
  const grown = Buffer.allocUnsafe(Math.max(scratch.length * 2, at + bytes));
  scratch.copy(grown, 0, 0, at);
  scratch = grown;
}

function octet(value: number): void {
  ensure(1);
  scratch[at++] = value;
}

function shortString(value: string): void {
  ensure(1 + value.length * 3);
  const length = scratch.write(value, at + 1, 'utf8');
  if (length > SHORTSTR_MAX) {
    throw NOT_ENCODABLE;
  }
  scratch[at] = length;
  at += 1 + length;
}

function longString(value: string): void {
  ensure(5 + value.length * 3);
  scratch[at] = 0x53; // 'S'
  const length = scratch.write(value, at + 5, 'utf8');
  scratch.writeUInt32BE(length, at + 1);
  at += 5 + length;
}

function int32(value: number): void {
  ensure(5);
  scratch[at] = 0x49; // 'I'
  scratch.writeInt32BE(value, at + 1);
  at += 5;
}

function int64(value: bigint): void {
  ensure(9);
  scratch[at] = 0x6c; // 'l'
  scratch.writeBigInt64BE(value, at + 1);
  at += 9;
}

function double(value: number): void {
  ensure(9);
  scratch[at] = 0x64; // 'd'
  scratch.writeDoubleBE(value, at + 1);
  at += 9;
}

function isInt32(value: number | bigint): boolean {
  return value >= INT32_MIN && value <= INT32_MAX;
}

// toAmqpHeaders' numberField, written instead of wrapped.
function number(value: number): void {
  if (Number.isInteger(value)) {
    if (isInt32(value)) {
      int32(value);
    } else if (value >= 0 && value < 2 ** 63) {
      int64(BigInt(value));
    } else {
      double(value);
    }
  } else {
    // Below 2^50 amqplib guesses a double too; above, toAmqpHeaders types
    // it so; NaN and the infinities go the same way.
    double(value);
  }
}

// toAmqpHeaders' integerField.
function bigInteger(value: bigint): void {
  if (isInt32(value)) {
    int32(Number(value));
  } else if (value >= 0n && value < INT64_LIMIT) {
    int64(value);
  } else {
    double(Number(value));
  }
}

// A value already typed as toAmqpHeaders types it ({'!': type, value}).
function typedValue(value: Record<string, unknown>): void {
  const inner = value.value;
  switch (value['!']) {
    case 'int':
      if (!Number.isInteger(inner) || !isInt32(inner as number)) {
        throw NOT_ENCODABLE;
      }
      int32(inner as number);
      return;
    case 'long': {
      const long =
        typeof inner === 'bigint'
          ? inner
          : Number.isInteger(inner)
            ? BigInt(inner as number)
            : undefined;
      if (long === undefined || long < -INT64_LIMIT || long >= INT64_LIMIT) {
        throw NOT_ENCODABLE;
      }
      int64(long);
      return;
    }
    case 'double':
      if (typeof inner !== 'number') {
        throw NOT_ENCODABLE;
      }
      double(inner);
      return;
    default:
      throw NOT_ENCODABLE;
  }
}

function fieldValue(value: unknown, inArray: boolean): void {
  switch (typeof value) {
    case 'string':
      longString(value);
      return;
    case 'number':
      number(value);
      return;
    case 'bigint':
      bigInteger(value);
      return;
    case 'boolean':
      ensure(2);
      scratch[at] = 0x74; // 't'
      scratch[at + 1] = value ? 1 : 0;
      at += 2;
      return;
    case 'undefined':
      // Dropped from tables by the caller; null in arrays, as toAmqpHeaders.
      if (!inArray) {
        throw NOT_ENCODABLE;
      }
      octet(0x56);
      return;
    case 'object':
      objectValue(value);
      return;
    case 'function':
    case 'symbol':
      throw NOT_ENCODABLE;
  }
}

function objectValue(value: object | null): void {
  if (value === null) {
    octet(0x56); // 'V'
    return;
  }
  if (Array.isArray(value)) {
    octet(0x41); // 'A'
    sized(() => {
      for (const item of value as unknown[]) {
        fieldValue(item, true);
      }
    });
    return;
  }
  if (Buffer.isBuffer(value)) {
    ensure(5 + value.length);
    scratch[at] = 0x78; // 'x'
    scratch.writeUInt32BE(value.length, at + 1);
    value.copy(scratch, at + 5);
    at += 5 + value.length;
    return;
  }
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) {
    throw NOT_ENCODABLE;
  }
  const table = value as Record<string, unknown>;
  if (Object.hasOwn(table, '!')) {
    typedValue(table);
    return;
  }
  octet(0x46); // 'F'
  fieldTable(table);
}

// A uint32 length, then whatever `write` puts after it.
function sized(write: () => void): void {
  ensure(4);
  const start = at;
  at += 4;
  write();
  scratch.writeUInt32BE(at - start - 4, start);
}

function fieldTable(table: Record<string, unknown>): void {
  sized(() => {
    for (const key of Object.keys(table)) {
      const value = table[key];
      if (value !== undefined) {
        shortString(key);
        fieldValue(value, false);
      }
    }
  });
}

function frameStart(type: number, channel: number): number {
  ensure(7);
  const start = at;
  scratch[at] = type;
  scratch.writeUInt16BE(channel, at + 1);
  at += 7; // the size is written by frameEnd
  return start;
}

function frameEnd(start: number): void {
  scratch.writeUInt32BE(at - start - 7, start + 3);
  octet(FRAME_END);
}

function methodFrame(channel: number, exchange: string, routingKey: string) {
  const start = frameStart(FRAME_METHOD, channel);
  ensure(6);
  scratch.writeUInt16BE(BASIC_CLASS, at);
  scratch.writeUInt16BE(BASIC_PUBLISH, at + 2);
  scratch.writeUInt16BE(0, at + 4); // ticket
  at += 6;
  shortString(exchange);
  shortString(routingKey);
  octet(0); // mandatory, immediate: off
  frameEnd(start);
}

function headerFrame(
  channel: number,
  bodySize: number,
  properties: PublishProperties,
): void {
  const start = frameStart(FRAME_HEADER, channel);
  ensure(14);
  scratch.writeUInt16BE(BASIC_CLASS, at);
  scratch.writeUInt16BE(0, at + 2); // weight
  scratch.writeBigUInt64BE(BigInt(bodySize), at + 4);
  const flagsAt = at + 12;
  at += 14;
  let flags = 0;
  if (isSet(properties.contentType)) {
    flags |= FLAG_CONTENT_TYPE;
    shortString(properties.contentType);
  }
  if (isSet(properties.contentEncoding)) {
    flags |= FLAG_CONTENT_ENCODING;
    shortString(properties.contentEncoding);
  }
  // amqplib's publish always sends a table, empty when there are no headers.
  flags |= FLAG_HEADERS;
  const tableStart = at;
  fieldTable(properties.headers ?? {});
  if (at - tableStart > AMQPLIB_TABLE_LIMIT) {
    throw NOT_ENCODABLE;
  }
  if (isSet(properties.deliveryMode)) {
    flags |= FLAG_DELIVERY_MODE;
    octet(properties.deliveryMode);
  }
  if (isSet(properties.priority)) {
    flags |= FLAG_PRIORITY;
    octet(properties.priority);
  }
  if (isSet(properties.correlationId)) {
    flags |= FLAG_CORRELATION_ID;
    shortString(properties.correlationId);
  }
  if (isSet(properties.replyTo)) {
    flags |= FLAG_REPLY_TO;
    shortString(properties.replyTo);
  }
  if (isSet(properties.expiration)) {
    flags |= FLAG_EXPIRATION;
    shortString(properties.expiration);
  }
  scratch.writeUInt16BE(flags, flagsAt);
  frameEnd(start);
}

// As amqplib's `void 0 != val`: null and undefined both mean "absent".
function isSet<T>(value: T | null | undefined): value is T {
  return value !== undefined && value !== null;
}

function isOctet(value: number | undefined): boolean {
  return (
    !isSet(value) || (Number.isInteger(value) && value >= 0 && value < 256)
  );
}

/**
 * The frames of one publish on `channel`, ready for the connection, or
 * `undefined` when amqplib should encode it instead (see the file's note).
 *
 * @param frameMax - the connection's negotiated frame size: a body larger
 *   than one frame is split, as amqplib splits it
 */
export function encodePublishFrames(
  channel: number,
  frameMax: number,
  exchange: string,
  routingKey: string,
  content: Buffer,
  properties: PublishProperties,
): Buffer | undefined {
  if (!isOctet(properties.deliveryMode) || !isOctet(properties.priority)) {
    return undefined;
  }
  at = 0;
  try {
    methodFrame(channel, exchange, routingKey);
    headerFrame(channel, content.length, properties);
  } catch (error) {
    if (error === NOT_ENCODABLE) {
      return undefined;
    }
    throw error;
  }
  const maxBody = frameMax - FRAME_OVERHEAD;
  if (at > frameMax || !(maxBody > 0)) {
    return undefined;
  }
  const bodyFrames = Math.ceil(content.length / maxBody);
  const frames = Buffer.allocUnsafe(
    at + content.length + bodyFrames * FRAME_OVERHEAD,
  );
  let offset = scratch.copy(frames, 0, 0, at);
  for (let start = 0; start < content.length; start += maxBody) {
    const end = Math.min(start + maxBody, content.length);
    frames[offset] = FRAME_BODY;
    frames.writeUInt16BE(channel, offset + 1);
    frames.writeUInt32BE(end - start, offset + 3);
    offset += 7;
    offset += content.copy(frames, offset, start, end);
    frames[offset++] = FRAME_END;
  }
  return frames;
}
