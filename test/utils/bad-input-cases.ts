import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Text as stored in a fixture: a string, or pieces joined, where
 * `{repeat, times}` stands for `repeat` written `times` times. Big bodies,
 * deep nesting and long ids are generated from it, not stored.
 */
export type Text = string | Piece[];
type Piece = string | { repeat: string; times: number };

/** One case of test/fixtures/bad-input/*.json, as stored. */
interface StoredCase {
  name: string;
  method: string;
  path: Text;
  headers?: Record<string, Text>;
  /** Sent as JSON. */
  body?: unknown;
  /** Sent as is, as application/json unless `headers` say otherwise. */
  rawBody?: string;
  /** Like rawBody, built from pieces. */
  bodyRepeat?: Piece[];
  /** The exact 4xx, when only one is right. */
  status?: number;
}

/** A case ready to send. */
export interface BadInputCase {
  /** `<file> › <name>`. */
  name: string;
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  headers: Record<string, string>;
  /** Undefined: no body at all. */
  body?: string;
  status?: number;
}

const METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']);
const KEYS = new Set([
  'name',
  'method',
  'path',
  'headers',
  'body',
  'rawBody',
  'bodyRepeat',
  'status',
]);

/** Every case of every `*.json` in `directory`, expanded; throws on a malformed fixture. */
export function loadBadInputCases(directory: string): BadInputCase[] {
  return readdirSync(directory)
    .filter((file) => file.endsWith('.json'))
    .sort()
    .flatMap((file) => {
      const stored: unknown = JSON.parse(
        readFileSync(join(directory, file), 'utf8'),
      );
      if (!Array.isArray(stored)) {
        throw new Error(`${file}: a fixture file is an array of cases`);
      }
      return stored.map((item, index) =>
        expand(file.replace(/\.json$/, ''), check(item, `${file}[${index}]`)),
      );
    });
}

function expand(file: string, stored: StoredCase): BadInputCase {
  const headers = Object.fromEntries(
    Object.entries(stored.headers ?? {}).map(([name, value]) => [
      name,
      textOf(value),
    ]),
  );
  const body =
    stored.body !== undefined
      ? JSON.stringify(stored.body)
      : (stored.rawBody ??
        (stored.bodyRepeat ? textOf(stored.bodyRepeat) : undefined));
  return {
    name: `${file} › ${stored.name}`,
    method: stored.method as BadInputCase['method'],
    path: textOf(stored.path),
    headers:
      body === undefined
        ? headers
        : { 'Content-Type': 'application/json', ...headers },
    ...(body === undefined ? {} : { body }),
    ...(stored.status === undefined ? {} : { status: stored.status }),
  };
}

function textOf(text: Text): string {
  if (typeof text === 'string') {
    return text;
  }
  return text
    .map((piece) =>
      typeof piece === 'string' ? piece : piece.repeat.repeat(piece.times),
    )
    .join('');
}

// A typo in a fixture should fail loudly, not quietly send something else.
function check(item: unknown, where: string): StoredCase {
  if (typeof item !== 'object' || item === null || Array.isArray(item)) {
    throw new Error(`${where}: a case is an object`);
  }
  const record = item as Record<string, unknown>;
  const unknown = Object.keys(record).filter((key) => !KEYS.has(key));
  const bodies = ['body', 'rawBody', 'bodyRepeat'].filter(
    (key) => key in record,
  );
  if (
    unknown.length > 0 ||
    typeof record.name !== 'string' ||
    typeof record.method !== 'string' ||
    !METHODS.has(record.method) ||
    !isText(record.path) ||
    bodies.length > 1 ||
    (record.rawBody !== undefined && typeof record.rawBody !== 'string') ||
    (record.bodyRepeat !== undefined && !Array.isArray(record.bodyRepeat)) ||
    (record.bodyRepeat !== undefined && !isText(record.bodyRepeat)) ||
    (record.headers !== undefined &&
      (typeof record.headers !== 'object' ||
        record.headers === null ||
        !Object.values(record.headers).every(isText))) ||
    (record.status !== undefined &&
      (typeof record.status !== 'number' ||
        record.status < 400 ||
        record.status > 499))
  ) {
    throw new Error(
      `${where}: expected {name, method, path, headers?, body? | rawBody? | bodyRepeat?, status?}${unknown.length > 0 ? `; unknown keys ${unknown.join(', ')}` : ''}`,
    );
  }
  return record as unknown as StoredCase;
}

function isText(value: unknown): value is Text {
  return (
    typeof value === 'string' ||
    (Array.isArray(value) &&
      value.every(
        (piece) =>
          typeof piece === 'string' ||
          (typeof piece === 'object' &&
            piece !== null &&
            typeof (piece as { repeat?: unknown }).repeat === 'string' &&
            Number.isInteger((piece as { times?: unknown }).times)),
      ))
  );
}
