import {
  decodeKombuMarkers,
  encodeKombuMarkers,
  parsePythonIsoDatetime,
  pythonJsonStringify,
  toPythonIsoformat,
} from './kombu-json';

// Expected JSON texts were printed by Python 3.11: `json.dumps(value)` and
// `kombu.utils.json.dumps(value)` from kombu's main branch (5.6 series).

describe('pythonJsonStringify', () => {
  it.each<[unknown, string]>([
    [null, 'null'],
    [true, 'true'],
    [false, 'false'],
    [0, '0'],
    [-1, '-1'],
    [9007199254740991, '9007199254740991'],
    [1.5, '1.5'],
    [-0, '-0.0'],
    [100000000000000000000, '1e+20'],
    [10000000000000000, '1e+16'],
    [0.00001, '1e-05'],
    [0.30000000000000004, '0.30000000000000004'],
    [NaN, 'NaN'],
    [Infinity, 'Infinity'],
    [-Infinity, '-Infinity'],
    [5e-324, '5e-324'],
    [1e308, '1e+308'],
    [123456789.125, '123456789.125'],
    ['', '""'],
    ['plain', '"plain"'],
    ['a"b', '"a\\"b"'],
    ['back\\slash', '"back\\\\slash"'],
    ['\n\r\t\u0008\u000c', '"\\n\\r\\t\\b\\f"'],
    ['\u0000\u0001\u001f', '"\\u0000\\u0001\\u001f"'],
    ['\u007f', '"\\u007f"'],
    ['é', '"\\u00e9"'],
    ['日本', '"\\u65e5\\u672c"'],
    ['😀', '"\\ud83d\\ude00"'],
    ['\u2028', '"\\u2028"'],
    ['\ud800', '"\\ud800"'],
    ['/', '"/"'],
    ["it's", '"it\'s"'],
    ['café 😀 \u0080\uffff', '"caf\\u00e9 \\ud83d\\ude00 \\u0080\\uffff"'],
    [[], '[]'],
    [{}, '{}'],
    [[1, 2], '[1, 2]'],
    [
      [
        [1, 2],
        {},
        { callbacks: null, errbacks: null, chain: null, chord: null },
      ],
      '[[1, 2], {}, {"callbacks": null, "errbacks": null, "chain": null, "chord": null}]',
    ],
    [[1, 'tid', 'SUCCESS', 4], '[1, "tid", "SUCCESS", 4]'],
    [{ é: [1.5, null, { x: [] }] }, '{"\\u00e9": [1.5, null, {"x": []}]}'],
    [[[[]]], '[[[]]]'],
    [{ a: { b: {} } }, '{"a": {"b": {}}}'],
    [
      {
        status: 'SUCCESS',
        result: 4,
        traceback: null,
        children: [],
        date_done: '2026-01-02T03:04:05.123456',
        task_id: 't',
      },
      '{"status": "SUCCESS", "result": 4, "traceback": null, "children": [], "date_done": "2026-01-02T03:04:05.123456", "task_id": "t"}',
    ],
  ])('json.dumps(%p) is %p', (value, expected) => {
    expect(pythonJsonStringify(value)).toBe(expected);
  });

  it.each<[string, unknown, string]>([
    ['bigint as a Python int', [2n ** 64n], '[18446744073709551616]'],
    ['undefined in an array as null', [1, undefined], '[1, null]'],
    ['undefined in an object skipped', { a: undefined, b: 1 }, '{"b": 1}'],
    [
      'a null-prototype object',
      Object.assign(Object.create(null), { a: 1 }),
      '{"a": 1}',
    ],
  ])('writes %s', (_name, value, expected) => {
    expect(pythonJsonStringify(value)).toBe(expected);
  });

  it.each<[string, unknown, string]>([
    ['a Date', new Date(0), 'Object of type Date is not JSON serializable'],
    [
      'a Buffer',
      Buffer.from('x'),
      'Object of type Buffer is not JSON serializable',
    ],
    ['a Map', new Map(), 'Object of type Map is not JSON serializable'],
    ['a cycle', cyclic(), 'Circular reference detected'],
  ])('rejects %s as Python does', (_name, value, message) => {
    expect(() => pythonJsonStringify(value)).toThrow(message);
  });
});

function cyclic(): unknown[] {
  const list: unknown[] = [1];
  list.push(list);
  return list;
}

describe('decodeKombuMarkers', () => {
  it.each<[string, string, unknown]>([
    [
      'datetime, UTC',
      '{"__type__": "datetime", "__value__": "2026-11-23T23:08:21.487000+00:00"}',
      new Date('2026-11-23T23:08:21.487Z'),
    ],
    [
      'datetime without fraction',
      '{"__type__": "datetime", "__value__": "2026-11-23T23:08:21+00:00"}',
      new Date('2026-11-23T23:08:21.000Z'),
    ],
    [
      'datetime, microseconds cut to ms',
      '{"__type__": "datetime", "__value__": "2026-11-23T23:08:21.487654+00:00"}',
      new Date('2026-11-23T23:08:21.487Z'),
    ],
    [
      'datetime with an offset',
      '{"__type__": "datetime", "__value__": "2026-11-24T01:08:21.005000+02:00"}',
      new Date('2026-11-23T23:08:21.005Z'),
    ],
    [
      'naive datetime, read as UTC',
      '{"__type__": "datetime", "__value__": "2026-11-23T23:08:21.487000"}',
      new Date('2026-11-23T23:08:21.487Z'),
    ],
    [
      'datetime before year 1000',
      '{"__type__": "datetime", "__value__": "0999-01-01T00:00:00+00:00"}',
      new Date('0999-01-01T00:00:00.000Z'),
    ],
    ['date', '{"__type__": "date", "__value__": "2026-11-23"}', '2026-11-23'],
    [
      'time',
      '{"__type__": "time", "__value__": "23:08:21.487000"}',
      '23:08:21.487000',
    ],
    [
      'decimal, precision kept',
      '{"__type__": "decimal", "__value__": "3.14159265358979323846264338327950288"}',
      '3.14159265358979323846264338327950288',
    ],
    [
      'uuid',
      '{"__type__": "uuid", "__value__": {"hex": "12345678123456781234567812345678"}}',
      '12345678123456781234567812345678',
    ],
    ['bytes', '{"__type__": "bytes", "__value__": "hello"}', 'hello'],
    [
      'base64',
      '{"__type__": "base64", "__value__": "/wD+"}',
      Buffer.from([0xff, 0x00, 0xfe]),
    ],
    [
      'markers at any depth',
      '[{"__type__": "datetime", "__value__": "2026-01-02T03:04:05+00:00"}, {"d": {"__type__": "decimal", "__value__": "0.1"}}]',
      [new Date('2026-01-02T03:04:05.000Z'), { d: '0.1' }],
    ],
    [
      'an unknown type, unchanged',
      '{"__type__": "set", "__value__": [1]}',
      { __type__: 'set', __value__: [1] },
    ],
    [
      'a third key, unchanged',
      '{"__type__": "date", "__value__": "2026-11-23", "x": 1}',
      { __type__: 'date', __value__: '2026-11-23', x: 1 },
    ],
    [
      'a non-string value, unchanged',
      '{"__type__": "datetime", "__value__": 5}',
      { __type__: 'datetime', __value__: 5 },
    ],
    [
      'an unparsable datetime, unchanged',
      '{"__type__": "datetime", "__value__": "yesterday"}',
      { __type__: 'datetime', __value__: 'yesterday' },
    ],
    [
      'markers inside an unknown marker',
      '{"__type__": "pair", "__value__": [{"__type__": "date", "__value__": "2026-11-23"}]}',
      { __type__: 'pair', __value__: ['2026-11-23'] },
    ],
  ])('decodes %s', (_name, json, expected) => {
    expect(decodeKombuMarkers(JSON.parse(json))).toEqual(expected);
  });

  it.each<[string, unknown]>([
    [
      'a task body',
      JSON.parse('[[2, 2], {}, {"callbacks": null, "chord": null}]'),
    ],
    ['a nested object', { a: { b: [1, 'x', null, { c: true }] } }],
    ['a number', 4],
    ['NaN inside an array', [NaN]],
  ])('returns %s without markers as the same reference', (_name, value) => {
    expect(decodeKombuMarkers(value)).toBe(value);
  });

  it('copies only the containers on the path to a marker', () => {
    const untouched = { deep: [1, 2] };
    const input = {
      untouched,
      when: { __type__: 'date', __value__: '2026-11-23' },
    };

    const output = decodeKombuMarkers(input) as Record<string, unknown>;

    expect(output).not.toBe(input);
    expect(output['untouched']).toBe(untouched);
    expect(output['when']).toBe('2026-11-23');
    expect(input.when).toEqual({ __type__: 'date', __value__: '2026-11-23' });
  });

  it('keeps an own "__proto__" key as data', () => {
    const input: unknown = JSON.parse(
      '{"__proto__": {"__type__": "date", "__value__": "2026-11-23"}}',
    );

    const output = decodeKombuMarkers(input) as Record<string, unknown>;

    expect(Object.getPrototypeOf(output)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(output, '__proto__')?.value).toBe(
      '2026-11-23',
    );
  });
});

describe('encodeKombuMarkers', () => {
  it.each<[string, unknown, string]>([
    [
      'a UTC datetime with milliseconds',
      new Date('2026-11-23T23:08:21.487Z'),
      '{"__type__": "datetime", "__value__": "2026-11-23T23:08:21.487000+00:00"}',
    ],
    [
      'a datetime without fraction',
      new Date('2026-11-23T23:08:21.000Z'),
      '{"__type__": "datetime", "__value__": "2026-11-23T23:08:21+00:00"}',
    ],
    [
      'a datetime before year 1000',
      new Date('0999-01-01T00:00:00.000Z'),
      '{"__type__": "datetime", "__value__": "0999-01-01T00:00:00+00:00"}',
    ],
    [
      'bytes that are not utf-8',
      Buffer.from([0xff, 0x00, 0xfe]),
      '{"__type__": "base64", "__value__": "/wD+"}',
    ],
    [
      'markers at any depth',
      [new Date('2026-01-02T03:04:05.000Z'), { d: '0.1' }],
      '[{"__type__": "datetime", "__value__": "2026-01-02T03:04:05+00:00"}, {"d": "0.1"}]',
    ],
  ])('writes %s as kombu does', (_name, value, expected) => {
    expect(pythonJsonStringify(encodeKombuMarkers(value))).toBe(expected);
  });

  it('writes a Uint8Array view as base64 of its own bytes only', () => {
    const view = new Uint8Array([1, 0xff, 0x00, 0xfe, 2]).subarray(1, 4);

    expect(encodeKombuMarkers(view)).toEqual({
      __type__: 'base64',
      __value__: '/wD+',
    });
  });

  it.each<[string, unknown]>([
    ['a task body', [[2, 2], {}, { callbacks: null, chord: null }]],
    ['a string', 'x'],
    ['null', null],
  ])(
    'returns %s without dates or bytes as the same reference',
    (_name, value) => {
      expect(encodeKombuMarkers(value)).toBe(value);
    },
  );

  it.each<[string, Date]>([
    ['an invalid Date', new Date(Number.NaN)],
    ['a year Python cannot hold', new Date('+010000-01-01T00:00:00Z')],
  ])('rejects %s', (_name, date) => {
    expect(() => encodeKombuMarkers(date)).toThrow(RangeError);
  });
});

describe('round trip', () => {
  it.each<[string, unknown]>([
    ['a datetime', new Date('2026-11-23T23:08:21.487Z')],
    ['bytes', Buffer.from([0, 1, 2, 250])],
    ['nested values', { at: [new Date('2026-01-01T00:00:00.001Z')], n: 1 }],
  ])('decode(encode(%s)) gives the value back', (_name, value) => {
    const wire: unknown = JSON.parse(
      pythonJsonStringify(encodeKombuMarkers(value)),
    );

    expect(decodeKombuMarkers(wire)).toEqual(value);
  });
});

describe('parsePythonIsoDatetime', () => {
  it.each<[string, string | null]>([
    ['2026-11-23T23:08:21.487000+00:00', '2026-11-23T23:08:21.487Z'],
    ['2026-11-23 23:08:21+05:30', '2026-11-23T17:38:21.000Z'],
    ['2026-11-23T23:08:21.487Z', '2026-11-23T23:08:21.487Z'],
    ['2026-11-23T23:08-01:00', '2026-11-24T00:08:00.000Z'],
    ['2026-11-23', '2026-11-23T00:00:00.000Z'],
    ['0050-06-01T00:00:00+00:00', '0050-06-01T00:00:00.000Z'],
    ['2026-02-30T00:00:00+00:00', null],
    ['23:08:21', null],
    ['not a date', null],
  ])('parses %p as %p', (text, expected) => {
    expect(parsePythonIsoDatetime(text)?.toISOString() ?? null).toBe(expected);
  });
});

describe('toPythonIsoformat', () => {
  it.each<[string, string]>([
    ['2026-11-23T23:08:21.487Z', '2026-11-23T23:08:21.487000+00:00'],
    ['2026-11-23T23:08:21.000Z', '2026-11-23T23:08:21+00:00'],
    ['2026-01-02T03:04:05.001Z', '2026-01-02T03:04:05.001000+00:00'],
  ])('writes %p as %p', (iso, expected) => {
    expect(toPythonIsoformat(new Date(iso))).toBe(expected);
  });
});
