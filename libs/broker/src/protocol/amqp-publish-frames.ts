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

/**
 * The AMQP basic properties a task publish carries (amqplib's names): the
 * ones a consumer receives, its Celery headers untyped or already typed.
 */
export type PublishProperties = ReceivedProperties;

import type { ReceivedProperties } from './task-message.codec';
import { fieldTable } from './amqp-field-table';
import { ensure, NOT_ENCODABLE, octet, out, shortString } from './amqp-scratch';

const FRAME_METHOD = 1;
const FRAME_HEADER = 2;
const FRAME_BODY = 3;
const FRAME_END = 0xce;
// Frame type, channel, size before the payload; the end octet after it.
const FRAME_OVERHEAD = 8;
const BASIC_CLASS = 60;
const BASIC_PUBLISH = 40;
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

function frameStart(type: number, channel: number): number {
  ensure(7);
  const start = out.at;
  out.buffer[out.at] = type;
  out.buffer.writeUInt16BE(channel, out.at + 1);
  out.at += 7; // the size is written by frameEnd
  return start;
}

function frameEnd(start: number): void {
  out.buffer.writeUInt32BE(out.at - start - 7, start + 3);
  octet(FRAME_END);
}

function methodFrame(channel: number, exchange: string, routingKey: string) {
  const start = frameStart(FRAME_METHOD, channel);
  ensure(6);
  out.buffer.writeUInt16BE(BASIC_CLASS, out.at);
  out.buffer.writeUInt16BE(BASIC_PUBLISH, out.at + 2);
  out.buffer.writeUInt16BE(0, out.at + 4); // ticket
  out.at += 6;
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
  out.buffer.writeUInt16BE(BASIC_CLASS, out.at);
  out.buffer.writeUInt16BE(0, out.at + 2); // weight
  out.buffer.writeBigUInt64BE(BigInt(bodySize), out.at + 4);
  const flagsAt = out.at + 12;
  out.at += 14;
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
  const tableStart = out.at;
  fieldTable(properties.headers ?? {});
  if (out.at - tableStart > AMQPLIB_TABLE_LIMIT) {
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
  out.buffer.writeUInt16BE(flags, flagsAt);
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
  out.at = 0;
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
  if (out.at > frameMax || !(maxBody > 0)) {
    return undefined;
  }
  const bodyFrames = Math.ceil(content.length / maxBody);
  const frames = Buffer.allocUnsafe(
    out.at + content.length + bodyFrames * FRAME_OVERHEAD,
  );
  let offset = out.buffer.copy(frames, 0, 0, out.at);
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
