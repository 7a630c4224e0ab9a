import { loadAmqplibCodec } from '../../../../test/utils/amqplib-codec';
import { fromAmqpHeaders, toAmqpHeaders } from './amqp-headers';

const codec = loadAmqplibCodec();

type ErrorClass = new (message?: string) => Error;

function encode(table: Record<string, unknown>): Buffer {
  const buffer = Buffer.alloc(4096);
  const size = codec.encodeTable(buffer, table, 0);
  return buffer.subarray(0, size);
}

function decode(encoded: Buffer): Record<string, unknown> {
  // encodeTable writes a 4-byte length first; decodeFields reads the rest.
  return codec.decodeFields(encoded.subarray(4));
}

/** The bytes of a one-key table after its length, key length and key. */
function valueBytes(key: string, encoded: Buffer): string {
  return encoded.subarray(4 + 1 + Buffer.byteLength(key)).toString('hex');
}

/** `'I 000000c8'` → `'49000000c8'`: single letters are AMQP type tags. */
function wire(text: string): string {
  return text
    .split(' ')
    .map((part) => (part.length === 1 ? part.charCodeAt(0).toString(16) : part))
    .join('');
}

const CELERY_HEADERS = {
  lang: 'py',
  task: 'proj.tasks.add',
  id: 'a1b2',
  shadow: null,
  eta: null,
  expires: null,
  group: null,
  group_index: 500,
  retries: 200,
  timelimit: [1200, 600],
  root_id: 'a1b2',
  parent_id: null,
  argsrepr: '(2, 2)',
  kwargsrepr: '{}',
  origin: 'gen42@host',
  ignore_result: false,
  replaced_task_nesting: 0,
  stamped_headers: null,
  stamps: {},
};

describe('toAmqpHeaders', () => {
  it.each<[string, Record<string, unknown>, Record<string, unknown>]>([
    ['a small int', { retries: 0 }, { retries: { '!': 'int', value: 0 } }],
    ['a negative int', { n: -1 }, { n: { '!': 'int', value: -1 } }],
    [
      'ints in arrays',
      { timelimit: [1200, null] },
      { timelimit: [{ '!': 'int', value: 1200 }, null] },
    ],
    [
      'ints in nested objects',
      { stamps: { a: [{ b: 7 }] } },
      { stamps: { a: [{ b: { '!': 'int', value: 7 } }] } },
    ],
    [
      'int32 bounds',
      { lo: -(2 ** 31), hi: 2 ** 31 - 1 },
      {
        lo: { '!': 'int', value: -(2 ** 31) },
        hi: { '!': 'int', value: 2 ** 31 - 1 },
      },
    ],
    ['a large int', { n: 2 ** 31 }, { n: { '!': 'long', value: 2 ** 31 } }],
    [
      'a large negative int',
      { n: -(2 ** 31) - 1 },
      { n: { '!': 'double', value: -(2 ** 31) - 1 } },
    ],
    [
      'an int beyond int64',
      { n: 2 ** 64 },
      { n: { '!': 'double', value: 2 ** 64 } },
    ],
    [
      'a bigint',
      { n: 5n, m: 2n ** 40n },
      { n: { '!': 'int', value: 5 }, m: { '!': 'long', value: 2n ** 40n } },
    ],
    ['a float', { n: 1.5 }, { n: 1.5 }],
    ['NaN', { n: Number.NaN }, { n: { '!': 'double', value: Number.NaN } }],
    ['-Infinity', { n: -Infinity }, { n: { '!': 'double', value: -Infinity } }],
    [
      'a fraction amqplib would take for a long',
      { n: 2 ** 50 + 0.5 },
      { n: { '!': 'double', value: 2 ** 50 + 0.5 } },
    ],
    ['undefined in an array', { a: [undefined, 'x'] }, { a: [null, 'x'] }],
    [
      'undefined in an object',
      { a: undefined, b: { c: undefined } },
      { b: {} },
    ],
    [
      'strings, booleans, null, Buffers',
      { s: 'x', t: true, v: null, x: Buffer.from('ab') },
      { s: 'x', t: true, v: null, x: Buffer.from('ab') },
    ],
    [
      'a value typed by the caller',
      { p: { '!': 'timestamp', value: 1 } },
      { p: { '!': 'timestamp', value: 1 } },
    ],
  ])('converts %s', (_name, headers, expected) => {
    expect(toAmqpHeaders(headers)).toEqual(expected);
  });

  it('does not modify its input', () => {
    const headers = { timelimit: [1, 2], stamps: { a: 3 } };

    toAmqpHeaders(headers);

    expect(headers).toEqual({ timelimit: [1, 2], stamps: { a: 3 } });
  });
});

describe('amqplib encoding of toAmqpHeaders output', () => {
  it.each<[string, unknown, string]>([
    ['retries', 200, 'I 000000c8'],
    ['group_index', 500, 'I 000001f4'],
    ['replaced_task_nesting', 0, 'I 00000000'],
    ['minus_one', -1, 'I ffffffff'],
    ['timelimit', [1200, 600], 'A 0000000a I 000004b0 I 00000258'],
    ['timelimit', [null, null], 'A 00000002 V V'],
    ['eta', null, 'V'],
    ['stamps', {}, 'F 00000000'],
    ['stamps', { n: 3 }, 'F 00000007 01 6e I 00000003'],
    ['huge', 2 ** 40, 'l 0000010000000000'],
    ['ratio', 1.5, 'd 3ff8000000000000'],
    ['nan', Number.NaN, 'd 7ff8000000000000'],
    ['ignore_result', false, 't 00'],
    ['lang', 'py', 'S 00000002 7079'],
  ])('writes %s = %p as %s', (key, value, expected) => {
    const encoded = encode(toAmqpHeaders({ [key]: value }));

    expect(valueBytes(key, encoded)).toBe(wire(expected));
  });

  it.each<[string, unknown, string]>([
    ['retries', 200, 's 00c8'],
    ['minus_one', -1, 'b ff'],
  ])(
    'shows the hazard: plain %s = %p goes out as %s',
    (key, value, expected) => {
      expect(valueBytes(key, encode({ [key]: value }))).toBe(wire(expected));
    },
  );

  it.each<[string, Record<string, unknown>, ErrorClass]>([
    ['undefined in an array', { a: [undefined] }, TypeError],
    ['NaN', { n: Number.NaN }, RangeError],
    ['-Infinity', { n: -Infinity }, RangeError],
    ['a fraction above 2^50', { n: 2 ** 50 + 0.5 }, RangeError],
  ])('avoids the amqplib throw on %s', (_name, headers, errorClass) => {
    expect(() => encode(headers)).toThrow(errorClass);
    expect(() => encode(toAmqpHeaders(headers))).not.toThrow();
  });
});

describe('round trip through amqplib', () => {
  it.each<[string, Record<string, unknown>, Record<string, unknown>]>([
    ['Celery headers', CELERY_HEADERS, CELERY_HEADERS],
    [
      'nested stamps',
      { stamps: { ids: [1, 2, 70000], meta: { ok: true, ratio: 0.5 } } },
      { stamps: { ids: [1, 2, 70000], meta: { ok: true, ratio: 0.5 } } },
    ],
    ['a large int', { n: 2 ** 40 }, { n: 2 ** 40 }],
    ['undefined dropped', { a: undefined, b: [undefined] }, { b: [null] }],
  ])('decodes %s back to the same plain values', (_name, headers, expected) => {
    const decoded = fromAmqpHeaders(decode(encode(toAmqpHeaders(headers))));

    expect(decoded).toEqual(expected);
  });
});

describe('fromAmqpHeaders', () => {
  it.each<
    [string, Record<string, unknown> | undefined, Record<string, unknown>]
  >([
    ['no headers', undefined, {}],
    ['plain values', { a: 1, b: 'x', c: null }, { a: 1, b: 'x', c: null }],
    ['a Buffer', { a: Buffer.from('héllo') }, { a: 'héllo' }],
    [
      'Buffers at any depth',
      { a: [Buffer.from('x')], b: { c: { d: Buffer.from('y') } } },
      { a: ['x'], b: { c: { d: 'y' } } },
    ],
  ])('normalises %s', (_name, headers, expected) => {
    expect(fromAmqpHeaders(headers)).toEqual(expected);
  });

  it('turns a decoded byte array into a string', () => {
    const decoded = decode(encode({ origin: Buffer.from('gen1@host') }));

    expect(Buffer.isBuffer(decoded['origin'])).toBe(true);
    expect(fromAmqpHeaders(decoded)).toEqual({ origin: 'gen1@host' });
  });
});
