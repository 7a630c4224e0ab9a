/**
 * AMQP header tables that py-amqp decodes correctly (celery-protocol.md
 * §B.11). amqplib guesses `'b'` / `'s'` for small integers, which py-amqp
 * reads as unsigned and as a short *string*; typed values avoid the guess.
 */

/** amqplib's explicit field type, `{'!': type, value}` (`lib/codec.js`). */
export interface AmqpTypedValue {
  '!': 'int' | 'long' | 'double';
  value: number | bigint;
}

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;
const INT64_LIMIT = 2n ** 63n;
// Below this magnitude amqplib itself sends non-integers as doubles; above
// it (and for NaN / -Infinity) it guesses 'long' and BigInt() throws.
const AMQPLIB_DOUBLE_GUESS_LIMIT = 2 ** 50;

function typed(
  type: AmqpTypedValue['!'],
  value: number | bigint,
): AmqpTypedValue {
  return { '!': type, value };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) {
    return false;
  }
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function isTypedValue(value: Record<string, unknown>): boolean {
  return Object.hasOwn(value, '!');
}

function integerField(value: bigint): AmqpTypedValue {
  if (value >= INT32_MIN && value <= INT32_MAX) {
    return typed('int', Number(value));
  }
  // py-amqp reads 'l' as unsigned 64-bit, so only non-negative values are
  // safe there; the rest go as doubles, which at least keep sign and size.
  if (value >= 0n && value < INT64_LIMIT) {
    return typed('long', value);
  }
  return typed('double', Number(value));
}

function numberField(value: number): number | AmqpTypedValue {
  if (Number.isInteger(value)) {
    if (value >= INT32_MIN && value <= INT32_MAX) {
      return typed('int', value);
    }
    if (value >= 0 && value < 2 ** 63) {
      return typed('long', value);
    }
    return typed('double', value);
  }
  if (Math.abs(value) < AMQPLIB_DOUBLE_GUESS_LIMIT) {
    return value;
  }
  return typed('double', value);
}

function fieldValue(value: unknown): unknown {
  if (typeof value === 'number') {
    return numberField(value);
  }
  if (typeof value === 'bigint') {
    return integerField(value);
  }
  // amqplib throws on undefined inside arrays.
  if (value === undefined) {
    return null;
  }
  if (Array.isArray(value)) {
    return value.map(fieldValue);
  }
  if (isPlainObject(value) && !isTypedValue(value)) {
    return fieldTable(value);
  }
  return value;
}

// A loop, not entries/filter/map/fromEntries: it runs for every header of
// every published task, and those arrays were most of its garbage.
function fieldTable(table: Record<string, unknown>): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  for (const key of Object.keys(table)) {
    const value = table[key];
    if (value === undefined) {
      continue;
    }
    if (key === '__proto__') {
      // Defined, as fromEntries would: an assignment would set the prototype.
      Object.defineProperty(fields, key, {
        value: fieldValue(value),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    } else {
      fields[key] = fieldValue(value);
    }
  }
  return fields;
}

/**
 * Headers ready for amqplib: every integer, at any depth, becomes
 * `{'!': 'int', value}` (tag `'I'`, signed int32 in py-amqp) or, when
 * larger, `{'!': 'long', value}`; negative integers below int32 and
 * non-integers amqplib would mis-guess go as `{'!': 'double', value}`.
 * Ordinary floats stay plain (amqplib sends them as doubles). `undefined`
 * becomes `null` in arrays and is dropped from objects. Values that are
 * already typed (`{'!': ...}`) are left alone. The input is not modified.
 */
export function toAmqpHeaders(
  headers: Record<string, unknown>,
): Record<string, unknown> {
  return fieldTable(headers);
}

function plainValue(value: unknown): unknown {
  if (Buffer.isBuffer(value)) {
    return value.toString('utf8');
  }
  if (Array.isArray(value)) {
    return value.map(plainValue);
  }
  if (isPlainObject(value)) {
    return plainTable(value);
  }
  return value;
}

// A loop, not fromEntries(entries().map()): it runs for every delivered message.
function plainTable(table: Record<string, unknown>): Record<string, unknown> {
  const plain: Record<string, unknown> = {};
  for (const key of Object.keys(table)) {
    plain[key] = plainValue(table[key]);
  }
  return plain;
}

/**
 * Headers as amqplib decoded them, normalised: missing headers become `{}`
 * and byte arrays (`'x'` fields, decoded as Buffers) become utf-8 strings,
 * at any depth.
 */
export function fromAmqpHeaders(
  headers: Record<string, unknown> | undefined,
): Record<string, unknown> {
  return headers === undefined ? {} : plainTable(headers);
}
