import { sha256Hex } from './idempotency-scope';

/**
 * JSON with every object's keys sorted, so two bodies that differ only in key
 * order or whitespace have the same text. Values JSON cannot hold are dropped
 * from objects (as `JSON.stringify` does); a missing body is `null`.
 */
export function canonicalJson(value: unknown): string {
  if (value === undefined || value === null) {
    return 'null';
  }
  if (Array.isArray(value)) {
    // JSON.stringify writes null for holes and undefined members; so does this.
    return `[${Array.from(value, (item: unknown) => canonicalJson(item)).join(',')}]`;
  }
  if (hasToJson(value)) {
    // A Date, for one, is written as JSON.stringify writes it.
    return canonicalJson(value.toJSON());
  }
  if (isObject(value)) {
    const members = Object.keys(value)
      .filter((name) => isJsonValue(value[name]))
      .sort()
      .map((name) => `${JSON.stringify(name)}:${canonicalJson(value[name])}`);
    return `{${members.join(',')}}`;
  }
  // Strings, numbers and booleans; JSON.stringify writes NaN as null.
  return JSON.stringify(value) ?? 'null';
}

/** SHA-256 of the request body's {@link canonicalJson}. */
export function requestBodyHash(body: unknown): string {
  return sha256Hex(canonicalJson(body));
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function hasToJson(value: unknown): value is { toJSON(): unknown } {
  return isObject(value) && typeof value.toJSON === 'function';
}

function isJsonValue(value: unknown): boolean {
  return (
    value !== undefined &&
    typeof value !== 'function' &&
    typeof value !== 'symbol'
  );
}
