/**
 * kombu's JSON flavour (celery-protocol.md §B.4): `{"__type__", "__value__"}`
 * markers for non-JSON types, and Python `json.dumps` output byte for byte.
 */
import { pyNumberRepr } from './py-repr';

const TYPE_KEY = '__type__';
const VALUE_KEY = '__value__';

/** A kombu type marker, `{"__type__": "datetime", "__value__": "..."}`. */
export interface KombuMarker {
  __type__: string;
  __value__: unknown;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) {
    return false;
  }
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

// kombu only decodes objects whose key set is exactly {__type__, __value__}.
function isKombuMarker(
  value: Record<string, unknown>,
): value is KombuMarker & Record<string, unknown> {
  const keys = Object.keys(value);
  return (
    keys.length === 2 &&
    Object.hasOwn(value, TYPE_KEY) &&
    Object.hasOwn(value, VALUE_KEY) &&
    typeof value[TYPE_KEY] === 'string'
  );
}

/**
 * Applies `transform` to every array item and object value, copying a
 * container only when one of its children changed.
 */
function mapChildren(
  value: unknown[] | Record<string, unknown>,
  transform: (child: unknown) => unknown,
): unknown[] | Record<string, unknown> {
  if (Array.isArray(value)) {
    let copy: unknown[] | null = null;
    for (let index = 0; index < value.length; index += 1) {
      const item: unknown = value[index];
      const next = transform(item);
      if (Object.is(next, item)) {
        continue;
      }
      copy ??= value.slice();
      copy[index] = next;
    }
    return copy ?? value;
  }
  let copy: Record<string, unknown> | null = null;
  for (const [key, item] of Object.entries(value)) {
    const next = transform(item);
    if (Object.is(next, item)) {
      continue;
    }
    copy ??= { ...value };
    // defineProperty, because JSON may carry an own "__proto__" key.
    Object.defineProperty(copy, key, {
      value: next,
      writable: true,
      enumerable: true,
      configurable: true,
    });
  }
  return copy ?? value;
}

const ISO_DATE = String.raw`(\d{4})-(\d{2})-(\d{2})`;
const ISO_TIME = String.raw`(\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?`;
const ISO_OFFSET = String.raw`(Z|[+-]\d{2}:?\d{2}(?::?\d{2})?)`;
const ISO_DATETIME = new RegExp(
  `^${ISO_DATE}(?:[T ]${ISO_TIME}${ISO_OFFSET}?)?$`,
  'i',
);

function offsetMinutes(designator: string | undefined): number {
  // Python writes naive datetimes without offset; Celery means UTC by them.
  if (designator === undefined || designator.toUpperCase() === 'Z') {
    return 0;
  }
  const sign = designator.startsWith('-') ? -1 : 1;
  const digits = designator.slice(1).replaceAll(':', '');
  const hours = Number(digits.slice(0, 2));
  const minutes = Number(digits.slice(2, 4));
  const seconds = Number(digits.slice(4, 6) || '0');
  return sign * (hours * 60 + minutes + seconds / 60);
}

/**
 * Parses what Python's `datetime.isoformat()` writes, e.g.
 * `2026-11-23T23:08:21.487000+00:00`; null when it is not such a text.
 * Sub-millisecond digits are dropped (a JS `Date` holds milliseconds).
 */
export function parsePythonIsoDatetime(text: string): Date | null {
  const match = ISO_DATETIME.exec(text);
  if (match === null) {
    return null;
  }
  const [, year, month, day, hour, minute, second, fraction, offset] = match;
  const local = new Date(0);
  // setUTCFullYear, because Date.UTC() maps years 0..99 to 1900..1999.
  local.setUTCFullYear(Number(year), Number(month) - 1, Number(day));
  if (local.getUTCMonth() !== Number(month) - 1) {
    return null;
  }
  local.setUTCHours(
    Number(hour ?? '0'),
    Number(minute ?? '0'),
    Number(second ?? '0'),
    Number((fraction ?? '').padEnd(3, '0').slice(0, 3)),
  );
  const date = new Date(local.getTime() - offsetMinutes(offset) * 60_000);
  return Number.isNaN(date.getTime()) ? null : date;
}

/** The JS value for one marker, or undefined when it is not understood. */
function decodeMarker(type: string, raw: unknown): unknown {
  if (type === 'uuid') {
    const hex = isPlainObject(raw) ? raw['hex'] : undefined;
    return typeof hex === 'string' ? hex : undefined;
  }
  if (typeof raw !== 'string') {
    return undefined;
  }
  switch (type) {
    case 'datetime':
      return parsePythonIsoDatetime(raw) ?? undefined;
    case 'date':
    case 'time':
    case 'decimal':
    case 'bytes':
      return raw;
    case 'base64':
      return Buffer.from(raw, 'base64');
    default:
      return undefined;
  }
}

/**
 * Replaces kombu markers at any depth: `datetime` → `Date`, `base64` →
 * `Buffer`, `uuid` → its hex string, `date` / `time` / `decimal` / `bytes`
 * → their text (decimals stay strings to keep their precision). Unknown
 * or malformed markers are left as they are. Returns the same reference
 * when there is nothing to decode.
 */
export function decodeKombuMarkers(value: unknown): unknown {
  if (Array.isArray(value)) {
    return mapChildren(value, decodeKombuMarkers);
  }
  if (!isPlainObject(value)) {
    return value;
  }
  if (isKombuMarker(value)) {
    const decoded = decodeMarker(value.__type__, value.__value__);
    if (decoded !== undefined) {
      return decoded;
    }
  }
  return mapChildren(value, decodeKombuMarkers);
}

function pad(value: number, width: number): string {
  return String(value).padStart(width, '0');
}

/**
 * Python's `datetime.isoformat()` of an aware UTC datetime:
 * `2026-11-23T23:08:21.487000+00:00`, without the fraction when it is zero.
 */
export function toPythonIsoformat(date: Date): string {
  const year = date.getUTCFullYear();
  if (!(year >= 1 && year <= 9999)) {
    throw new RangeError(`Python datetime cannot hold ${String(date)}`);
  }
  const millis = date.getUTCMilliseconds();
  const day = [year, date.getUTCMonth() + 1, date.getUTCDate()]
    .map((part, index) => pad(part, index === 0 ? 4 : 2))
    .join('-');
  const time = [date.getUTCHours(), date.getUTCMinutes(), date.getUTCSeconds()]
    .map((part) => pad(part, 2))
    .join(':');
  const fraction = millis === 0 ? '' : `.${pad(millis * 1000, 6)}`;
  return `${day}T${time}${fraction}+00:00`;
}

function marker(type: string, value: unknown): KombuMarker {
  return { __type__: type, __value__: value };
}

/**
 * The inverse of {@link decodeKombuMarkers} for JS values: `Date` →
 * `datetime` marker, `Buffer` / `Uint8Array` → `base64` marker, at any
 * depth. Returns the same reference when there is nothing to encode.
 */
export function encodeKombuMarkers(value: unknown): unknown {
  if (value instanceof Date) {
    return marker('datetime', toPythonIsoformat(value));
  }
  if (value instanceof Uint8Array) {
    const bytes = Buffer.from(value.buffer, value.byteOffset, value.byteLength);
    return marker('base64', bytes.toString('base64'));
  }
  if (Array.isArray(value) || isPlainObject(value)) {
    return mapChildren(value, encodeKombuMarkers);
  }
  return value;
}

const SHORT_JSON_ESCAPES: Readonly<Record<string, string>> = {
  '"': '\\"',
  '\\': '\\\\',
  '\b': '\\b',
  '\f': '\\f',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
};

// json.dumps(ensure_ascii=True) escapes everything outside ' '..'~'; the
// regex works on UTF-16 units, so astral characters become surrogate pairs
// exactly as Python writes them.
const JSON_ESCAPED = /[\\"]|[^ -~]/g;

/** A Python `json.dumps` string literal (`ensure_ascii=True`). */
export function pythonJsonString(text: string): string {
  const body = text.replace(
    JSON_ESCAPED,
    (char) =>
      SHORT_JSON_ESCAPES[char] ??
      `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
  return `"${body}"`;
}

function pythonJsonNumber(value: number): string {
  if (Number.isNaN(value)) {
    return 'NaN';
  }
  if (value === Infinity) {
    return 'Infinity';
  }
  if (value === -Infinity) {
    return '-Infinity';
  }
  return pyNumberRepr(value);
}

function typeName(value: unknown): string {
  if (typeof value !== 'object' || value === null) {
    return typeof value;
  }
  return value.constructor?.name ?? 'object';
}

function dumpValue(value: unknown, ancestors: Set<object>): string {
  if (value === null || value === undefined) {
    return 'null';
  }
  if (value === true) {
    return 'true';
  }
  if (value === false) {
    return 'false';
  }
  if (typeof value === 'number') {
    return pythonJsonNumber(value);
  }
  if (typeof value === 'bigint') {
    return value.toString();
  }
  if (typeof value === 'string') {
    return pythonJsonString(value);
  }
  if (!Array.isArray(value) && !isPlainObject(value)) {
    throw new TypeError(
      `Object of type ${typeName(value)} is not JSON serializable`,
    );
  }
  if (ancestors.has(value)) {
    throw new TypeError('Circular reference detected');
  }
  ancestors.add(value);
  const text = Array.isArray(value)
    ? `[${value.map((item) => dumpValue(item, ancestors)).join(', ')}]`
    : `{${Object.entries(value)
        .filter(([, item]) => item !== undefined)
        .map(
          ([key, item]) =>
            `${pythonJsonString(key)}: ${dumpValue(item, ancestors)}`,
        )
        .join(', ')}}`;
  ancestors.delete(value);
  return text;
}

/**
 * What Python's `json.dumps(value)` prints with default settings:
 * `", "` / `": "` separators, `ensure_ascii`, `NaN` / `Infinity`, safe
 * integers without `.0`, keys in JS property order. `undefined` becomes
 * `null` in arrays and is skipped in objects, as in `JSON.stringify`;
 * bigints print as Python ints. Other objects (`Date`, `Buffer`) throw a
 * `TypeError` like Python does: pass them through
 * {@link encodeKombuMarkers} first.
 */
export function pythonJsonStringify(value: unknown): string {
  return dumpValue(value, new Set());
}
