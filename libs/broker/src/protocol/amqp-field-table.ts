import {
  ensure,
  longString,
  NOT_ENCODABLE,
  octet,
  out,
  shortString,
} from './amqp-scratch';

/*
 * Celery's headers written as an AMQP field table, typed as amqp-headers.ts's
 * `toAmqpHeaders` types them (celery-protocol.md §B.11) and encoded as
 * amqplib's `encodeTable` encodes the typed values: the same bytes, without
 * the typed copy. Throws NOT_ENCODABLE for anything amqplib would have to
 * guess about or refuse.
 */

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;
const INT64_LIMIT = 2n ** 63n;

function int32(value: number): void {
  ensure(5);
  out.buffer[out.at] = 0x49; // 'I'
  out.buffer.writeInt32BE(value, out.at + 1);
  out.at += 5;
}

function int64(value: bigint): void {
  ensure(9);
  out.buffer[out.at] = 0x6c; // 'l'
  out.buffer.writeBigInt64BE(value, out.at + 1);
  out.at += 9;
}

function double(value: number): void {
  ensure(9);
  out.buffer[out.at] = 0x64; // 'd'
  out.buffer.writeDoubleBE(value, out.at + 1);
  out.at += 9;
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
      out.buffer[out.at] = 0x74; // 't'
      out.buffer[out.at + 1] = value ? 1 : 0;
      out.at += 2;
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
    out.buffer[out.at] = 0x78; // 'x'
    out.buffer.writeUInt32BE(value.length, out.at + 1);
    value.copy(out.buffer, out.at + 5);
    out.at += 5 + value.length;
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
  const start = out.at;
  out.at += 4;
  write();
  out.buffer.writeUInt32BE(out.at - start - 4, start);
}

export function fieldTable(table: Record<string, unknown>): void {
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
