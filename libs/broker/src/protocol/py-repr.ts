/**
 * Python `repr()` and Celery `saferepr()` of JSON-ish JS values
 * (celery-protocol.md §B.2: `argsrepr`, `kwargsrepr`; §D: event strings).
 */

/** Size limit Celery uses for `argsrepr`, `kwargsrepr` and result reprs. */
export const SAFEREPR_MAXLEN = 1024;

// celery.utils.saferepr's default: containers nested deeper print as `[...]`.
const SAFEREPR_MAXLEVELS = 3;

// Python prints floats in fixed notation only for decimal exponents in
// [-4, 16); outside it switches to `1e+16` / `1e-05`.
const PY_FIXED_MIN_EXPONENT = -4;
const PY_FIXED_MAX_EXPONENT = 16;

/**
 * Python `repr()` of a JS number read from JSON.
 * Safe integers print as Python ints, everything else as Python floats
 * (`1.5`, `1e+20`, `nan`, `inf`, `-0.0`): beyond 2^53 a JS number can only
 * have come from a Python float or lost precision anyway.
 */
export function pyNumberRepr(value: number): string {
  if (Number.isSafeInteger(value) && !Object.is(value, -0)) {
    return String(value);
  }
  return pyFloatRepr(value);
}

/** Python `repr(float(value))`: `1.0`, `1e+20`, `1.5e-05`, `nan`, `-inf`. */
export function pyFloatRepr(value: number): string {
  if (Number.isNaN(value)) {
    return 'nan';
  }
  if (value === Infinity) {
    return 'inf';
  }
  if (value === -Infinity) {
    return '-inf';
  }
  const sign = value < 0 || Object.is(value, -0) ? '-' : '';
  // toExponential() without arguments yields the shortest round-trip digits,
  // the same digits Python's repr picks.
  const [mantissa, exponentText] = Math.abs(value).toExponential().split('e');
  const digits = mantissa.replace('.', '');
  const exponent = Number(exponentText);
  const body =
    exponent < PY_FIXED_MIN_EXPONENT || exponent >= PY_FIXED_MAX_EXPONENT
      ? scientificNotation(digits, exponent)
      : fixedNotation(digits, exponent);
  return sign + body;
}

function scientificNotation(digits: string, exponent: number): string {
  const fraction = digits.length > 1 ? `.${digits.slice(1)}` : '';
  const exponentSign = exponent < 0 ? '-' : '+';
  const exponentDigits = String(Math.abs(exponent)).padStart(2, '0');
  return `${digits[0]}${fraction}e${exponentSign}${exponentDigits}`;
}

function fixedNotation(digits: string, exponent: number): string {
  if (exponent < 0) {
    return `0.${'0'.repeat(-exponent - 1)}${digits}`;
  }
  const integerPart = digits.slice(0, exponent + 1).padEnd(exponent + 1, '0');
  const fractionPart = digits.slice(exponent + 1) || '0';
  return `${integerPart}.${fractionPart}`;
}

// Python's str.isprintable(): categories Other and Separator, except ' '.
const NON_PRINTABLE = /^[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}\p{Zs}]$/u;

const SHORT_ESCAPES: Readonly<Record<string, string>> = {
  '\\': '\\\\',
  '\t': '\\t',
  '\n': '\\n',
  '\r': '\\r',
};

function hexEscape(codePoint: number): string {
  const hex = codePoint.toString(16);
  if (codePoint < 0x100) {
    return `\\x${hex.padStart(2, '0')}`;
  }
  if (codePoint < 0x10000) {
    return `\\u${hex.padStart(4, '0')}`;
  }
  return `\\U${hex.padStart(8, '0')}`;
}

function pickQuote(hasSingle: boolean, hasDouble: boolean): string {
  return hasSingle && !hasDouble ? '"' : "'";
}

function escapeStrChar(char: string, quote: string): string {
  if (char === quote) {
    return `\\${quote}`;
  }
  const short = SHORT_ESCAPES[char];
  if (short !== undefined) {
    return short;
  }
  const codePoint = char.codePointAt(0) ?? 0;
  if (codePoint >= 0x20 && codePoint < 0x7f) {
    return char;
  }
  if (codePoint < 0x80 || NON_PRINTABLE.test(char)) {
    return hexEscape(codePoint);
  }
  return char;
}

/** Python `repr()` of a `str`, with Python's choice of quote and escapes. */
export function pyStrRepr(text: string): string {
  const quote = pickQuote(text.includes("'"), text.includes('"'));
  let body = '';
  for (const char of text) {
    body += escapeStrChar(char, quote);
  }
  return quote + body + quote;
}

function escapeByte(byte: number, quote: string): string {
  const char = String.fromCharCode(byte);
  if (char === quote) {
    return `\\${quote}`;
  }
  const short = SHORT_ESCAPES[char];
  if (short !== undefined) {
    return short;
  }
  return byte >= 0x20 && byte < 0x7f ? char : hexEscape(byte);
}

/** Python `repr()` of `bytes`, e.g. `b'ab\x00'`. */
export function pyBytesRepr(bytes: Uint8Array): string {
  const quote = pickQuote(bytes.includes(0x27), bytes.includes(0x22));
  let body = '';
  for (const byte of bytes) {
    body += escapeByte(byte, quote);
  }
  return `b${quote}${body}${quote}`;
}

/**
 * Python `repr()` of an aware UTC `datetime`, as Python trims it
 * (microseconds, then seconds, are left out when zero).
 */
export function pyDatetimeRepr(date: Date): string {
  if (Number.isNaN(date.getTime())) {
    return String(date);
  }
  const fields = [
    date.getUTCFullYear(),
    date.getUTCMonth() + 1,
    date.getUTCDate(),
    date.getUTCHours(),
    date.getUTCMinutes(),
    date.getUTCSeconds(),
    date.getUTCMilliseconds() * 1000,
  ];
  while (fields.length > 5 && fields[fields.length - 1] === 0) {
    fields.pop();
  }
  const tz = 'tzinfo=datetime.timezone.utc';
  return `datetime.datetime(${fields.join(', ')}, ${tz})`;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) {
    return false;
  }
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** `repr()` of a value that is neither a container nor a string. */
function pyScalarRepr(value: unknown): string {
  if (value === null || value === undefined) {
    return 'None';
  }
  if (value === true) {
    return 'True';
  }
  if (value === false) {
    return 'False';
  }
  if (typeof value === 'number') {
    return pyNumberRepr(value);
  }
  if (value instanceof Date) {
    return pyDatetimeRepr(value);
  }
  if (value instanceof Uint8Array) {
    return pyBytesRepr(value);
  }
  return otherRepr(value);
}

/** `String()`, except Python's `<Type object>` where that says nothing. */
function otherRepr(value: unknown): string {
  const isBareObject =
    typeof value === 'object' &&
    value !== null &&
    value.toString === Object.prototype.toString;
  if (isBareObject) {
    return `<${value.constructor.name} object>`;
  }
  return String(value);
}

function pyReprIn(value: unknown, ancestors: Set<object>): string {
  if (typeof value === 'string') {
    return pyStrRepr(value);
  }
  const isList = Array.isArray(value);
  if (!isList && !isPlainObject(value)) {
    return pyScalarRepr(value);
  }
  // Python prints a container that contains itself as `[...]` / `{...}`.
  if (ancestors.has(value)) {
    return isList ? '[...]' : '{...}';
  }
  ancestors.add(value);
  const text = isList
    ? `[${value.map((item) => pyReprIn(item, ancestors)).join(', ')}]`
    : `{${Object.entries(value)
        .map(([k, v]) => `${pyStrRepr(k)}: ${pyReprIn(v, ancestors)}`)
        .join(', ')}}`;
  ancestors.delete(value);
  return text;
}

/**
 * Python `repr()` of a JSON-ish value: `None`, `True`, `1`, `1.5`,
 * `'text'`, `[1, 2]`, `{'a': 1}`; `Date` as an aware UTC `datetime`,
 * `Uint8Array` as `bytes`, anything else through `String()`.
 */
export function pyRepr(value: unknown): string {
  return pyReprIn(value, new Set());
}

/** Python `repr()` of a tuple: `()`, `(1,)`, `(1, 2)`. */
export function pyTupleRepr(values: unknown[]): string {
  const items = values.map((item) => pyRepr(item));
  return items.length === 1 ? `(${items[0]},)` : `(${items.join(', ')})`;
}

/** One piece of saferepr's output, before the length budget is applied. */
type ReprToken =
  /** Brackets: always printed, even after truncation. */
  | { kind: 'bracket'; text: string }
  /** `, ` and `: `. */
  | { kind: 'separator'; text: string }
  | { kind: 'str'; value: string }
  | { kind: 'bytes'; value: Uint8Array }
  | { kind: 'text'; text: string };

interface Brackets {
  open: string;
  close: string;
}

/** Walk state: closing brackets of the containers currently open. */
interface WalkState {
  readonly pendingClosers: string[];
  readonly ancestors: Set<object>;
}

function bracketsOf(value: unknown[] | object, asTuple: boolean): Brackets {
  if (!Array.isArray(value)) {
    return { open: '{', close: '}' };
  }
  if (!asTuple) {
    return { open: '[', close: ']' };
  }
  return { open: '(', close: value.length === 1 ? ',)' : ')' };
}

function* containerItems(
  value: unknown[] | Record<string, unknown>,
  state: WalkState,
): Generator<ReprToken> {
  const entries: [string | null, unknown][] = Array.isArray(value)
    ? value.map((item): [null, unknown] => [null, item])
    : Object.entries(value);
  for (const [index, [key, item]] of entries.entries()) {
    if (index > 0) {
      yield { kind: 'separator', text: ', ' };
    }
    if (key !== null) {
      yield { kind: 'str', value: key };
      yield { kind: 'separator', text: ': ' };
    }
    yield* reprTokens(item, false, state);
  }
}

function* containerTokens(
  value: unknown[] | Record<string, unknown>,
  asTuple: boolean,
  state: WalkState,
): Generator<ReprToken> {
  const { open, close } = bracketsOf(value, asTuple);
  if (state.pendingClosers.length >= SAFEREPR_MAXLEVELS) {
    yield { kind: 'text', text: `${open}...${close}` };
    return;
  }
  if (state.ancestors.has(value)) {
    const typeName = Array.isArray(value) ? 'list' : 'dict';
    yield { kind: 'text', text: `<Recursion on ${typeName}>` };
    return;
  }
  state.ancestors.add(value);
  // The closer is owed from the moment the opener is handed out, so that a
  // cut right after the opener still closes it (as Celery does).
  state.pendingClosers.push(close);
  yield { kind: 'bracket', text: open };
  yield* containerItems(value, state);
  state.pendingClosers.pop();
  yield { kind: 'bracket', text: close };
  state.ancestors.delete(value);
}

function* reprTokens(
  value: unknown,
  asTuple: boolean,
  state: WalkState,
): Generator<ReprToken> {
  if (typeof value === 'string') {
    yield { kind: 'str', value };
  } else if (value instanceof Uint8Array) {
    yield { kind: 'bytes', value };
  } else if (Array.isArray(value) || isPlainObject(value)) {
    yield* containerTokens(value, asTuple, state);
  } else {
    yield { kind: 'text', text: pyScalarRepr(value) };
  }
}

/** Python `len()` of a str: code points, not UTF-16 units. */
function pyLength(text: string): number {
  return [...text].length;
}

/** The first `count` code points, or null when the text is shorter. */
function codePointPrefix(text: string, count: number): string | null {
  if (text.length < count) {
    return null;
  }
  let taken = 0;
  let end = 0;
  for (const char of text) {
    if (taken === count) {
      return text.slice(0, end);
    }
    taken += 1;
    end += char.length;
  }
  return taken === count ? text : null;
}

/** celery.utils.text.truncate: cut at the last space before `maxlen`. */
function truncateText(text: string, maxlen: number | null): string {
  if (!maxlen) {
    return text;
  }
  const prefix = codePointPrefix(text, maxlen);
  if (prefix === null) {
    return text;
  }
  const lastSpace = prefix.lastIndexOf(' ');
  return (lastSpace === -1 ? prefix : prefix.slice(0, lastSpace)) + '...';
}

function formatBytes(bytes: Uint8Array, maxlen: number | null): string {
  const cut = maxlen !== null && maxlen > 0 && bytes.length > maxlen;
  const chunk = cut ? bytes.subarray(0, maxlen) : bytes;
  let body: string;
  try {
    body = new TextDecoder('utf-8', { fatal: true }).decode(chunk);
  } catch {
    body = Buffer.from(chunk).toString('hex');
  }
  return `b'${body}${cut ? '...' : ''}'`;
}

function renderToken(token: ReprToken, maxlen: number | null): string {
  switch (token.kind) {
    case 'bracket':
    case 'separator':
      return token.text;
    case 'str':
      // Celery's saferepr does not use repr() for strings: it always uses
      // single quotes and escapes only the single quote.
      return `'${truncateText(token.value, maxlen).replaceAll("'", "\\'")}'`;
    case 'bytes':
      return formatBytes(token.value, maxlen);
    case 'text':
      return truncateText(token.text, maxlen);
  }
}

/**
 * Celery's `saferepr(value, maxlen)` (`celery/utils/saferepr.py`): a
 * repr-like text that stops once `maxlen` characters are used up, then
 * appends `, ...` and the brackets still open. Containers deeper than
 * three levels print as `[...]`. Strings are always single-quoted with only
 * `'` escaped, unlike `repr()`. `asTuple` prints a top-level array as a
 * tuple; `maxlen` null means no limit.
 */
export function saferepr(
  value: unknown,
  maxlen: number | null = SAFEREPR_MAXLEN,
  asTuple = false,
): string {
  const state: WalkState = { pendingClosers: [], ancestors: new Set() };
  const parts: string[] = [];
  let budget = maxlen;
  for (const token of reprTokens(value, asTuple, state)) {
    if (budget !== null && budget <= 0) {
      // The token in hand is dropped, exactly as Celery drops it.
      parts.push(', ...', ...[...state.pendingClosers].reverse());
      break;
    }
    const text = renderToken(token, budget);
    parts.push(text);
    if (budget !== null) {
      budget -= pyLength(text);
    }
  }
  return parts.join('');
}

/**
 * The `argsrepr` header: `saferepr(args, 1024)`. `send_task(args=[1, 2])`
 * passes a list (`[1, 2]`); signatures and `apply_async((1, 2))` pass a
 * tuple (`(1, 2)`, `([3, 7],)`).
 */
export function argsRepr(args: unknown[], form: 'list' | 'tuple'): string {
  const asTuple = form === 'tuple';
  return (
    flatRepr(args, asTuple, SAFEREPR_MAXLEN) ??
    saferepr(args, SAFEREPR_MAXLEN, asTuple)
  );
}

/** The `kwargsrepr` header: `saferepr(kwargs, 1024)`, e.g. `{'x': 1}`. */
export function kwargsRepr(kwargs: Record<string, unknown>): string {
  return (
    (isPlainObject(kwargs) ? flatRepr(kwargs, false, SAFEREPR_MAXLEN) : null) ??
    saferepr(kwargs, SAFEREPR_MAXLEN)
  );
}

/**
 * saferepr's text for what most task arguments are, built directly: a
 * flat list, tuple or dict of strings, numbers, booleans and nulls, short
 * enough that nothing is cut (so no budget applies). Null for anything
 * else, which saferepr's token walk handles; that walk (a generator per
 * value) was about 5% of the api's busy CPU in a 1000-task batch.
 */
function flatRepr(
  value: unknown[] | Record<string, unknown>,
  asTuple: boolean,
  maxlen: number,
): string | null {
  const parts: string[] = [];
  let length = 2;
  if (Array.isArray(value)) {
    for (const item of value) {
      const text = flatItemRepr(item);
      if (text === null) {
        return null;
      }
      parts.push(text);
      length += text.length + 2;
    }
  } else {
    for (const [key, item] of Object.entries(value)) {
      const text = flatItemRepr(item);
      if (text === null) {
        return null;
      }
      const entry = `${quotedRepr(key)}: ${text}`;
      parts.push(entry);
      length += entry.length + 2;
    }
  }
  // UTF-16 units, at least Python's code points: below maxlen, nothing is cut.
  if (length >= maxlen) {
    return null;
  }
  const { open, close } = bracketsOf(value, asTuple);
  return `${open}${parts.join(', ')}${close}`;
}

function flatItemRepr(item: unknown): string | null {
  if (typeof item === 'string') {
    return quotedRepr(item);
  }
  if (
    item === null ||
    typeof item === 'boolean' ||
    (typeof item === 'number' && Number.isFinite(item))
  ) {
    return pyScalarRepr(item);
  }
  return null;
}

// As renderToken quotes a str token: single quotes, only `'` escaped.
function quotedRepr(text: string): string {
  return `'${text.replaceAll("'", "\\'")}'`;
}
