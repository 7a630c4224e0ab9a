import {
  argsRepr,
  kwargsRepr,
  pyFloatRepr,
  pyRepr,
  pyTupleRepr,
  saferepr,
} from './py-repr';

// Every expected string was printed by Python 3.11: `repr()` and Celery
// 5.2.6's `celery.utils.saferepr.saferepr` (unchanged in Celery 5.6).

const NESTED = {
  a: [1, "it's", { b: [2, 3, 'x y z'] }],
  c: null,
  d: 'long text here',
};
const WORKFLOW_ARGS = [[1, [2, 'abc def']], { k: [3] }];
const MIXED = [1.25, "it's", [null]];

function range(count: number): number[] {
  return Array.from({ length: count }, (_, index) => index);
}

describe('saferepr', () => {
  it.each<[unknown, boolean, string]>([
    [null, false, 'None'],
    [true, false, 'True'],
    [false, false, 'False'],
    [0, false, '0'],
    [1, false, '1'],
    [-1, false, '-1'],
    [9007199254740991, false, '9007199254740991'],
    [-9007199254740991, false, '-9007199254740991'],
    [1.5, false, '1.5'],
    [-0, false, '-0.0'],
    [100000000000000000000, false, '1e+20'],
    [10000000000000000, false, '1e+16'],
    [1000000000000000.5, false, '1000000000000000.5'],
    [0.00001, false, '1e-05'],
    [0.0001, false, '0.0001'],
    [0.000011, false, '1.1e-05'],
    [123456789.123, false, '123456789.123'],
    [NaN, false, 'nan'],
    [Infinity, false, 'inf'],
    [-Infinity, false, '-inf'],
    [5e-324, false, '5e-324'],
    [1.7976931348623157e308, false, '1.7976931348623157e+308'],
    [0.30000000000000004, false, '0.30000000000000004'],
    [-2.5e-7, false, '-2.5e-07'],
    [9007199254740994, false, '9007199254740994.0'],
    ['', false, "''"],
    ['a', false, "'a'"],
    ["it's", false, "'it\\'s'"],
    ['say "hi"', false, '\'say "hi"\''],
    ['both \' and "', false, "'both \\' and \"'"],
    ['a\nb', false, "'a\nb'"],
    ['tab\there', false, "'tab\there'"],
    ['back\\slash', false, "'back\\slash'"],
    ['cr\r', false, "'cr\r'"],
    ['é', false, "'é'"],
    ['日本', false, "'日本'"],
    ['😀', false, "'😀'"],
    ['\u0000', false, "'\u0000'"],
    ['\u001b[0m', false, "'\u001b[0m'"],
    ['\u007f', false, "'\u007f'"],
    ['\u200b', false, "'\u200b'"],
    ['\u00a0', false, "'\u00a0'"],
    ['\u00ad', false, "'\u00ad'"],
    ['\u2028', false, "'\u2028'"],
    ['\ud800', false, "'\ud800'"],
    ['café 😀', false, "'café 😀'"],
    [[], false, '[]'],
    [[], true, '()'],
    [{}, false, '{}'],
    [[1, 2], false, '[1, 2]'],
    [[1, 2], true, '(1, 2)'],
    [[[3, 7]], false, '[[3, 7]]'],
    [[[3, 7]], true, '([3, 7],)'],
    [{ a: 1, b: [2] }, false, "{'a': 1, 'b': [2]}"],
    [[null, true, 1.5, 's'], false, "[None, True, 1.5, 's']"],
    [[null, true, 1.5, 's'], true, "(None, True, 1.5, 's')"],
    [[[[[1]]]], false, '[[[[...]]]]'],
    [[[[[1]]]], true, '([[[...]]],)'],
    [[[[[]]]], false, '[[[[...]]]]'],
    [[[[[]]]], true, '([[[...]]],)'],
    [[[[{}]]], false, '[[[{...}]]]'],
    [[[[{}]]], true, '([[{...}]],)'],
    [{ a: { b: { c: { d: 1 } } } }, false, "{'a': {'b': {'c': {...}}}}"],
    [{ a: { b: { c: 1 } } }, false, "{'a': {'b': {'c': 1}}}"],
    [{ "it's": 'v', 'k"': 1 }, false, "{'it\\'s': 'v', 'k\"': 1}"],
    [
      NESTED,
      false,
      "{'a': [1, 'it\\'s', {'b': [...]}], 'c': None, 'd': 'long text here'}",
    ],
    [Buffer.from('616263', 'hex'), false, "b'abc'"],
    [Buffer.from('ff00', 'hex'), false, "b'ff00'"],
    [Buffer.from('69742773', 'hex'), false, "b'it's'"],
    [[Buffer.from('610a62', 'hex')], false, "[b'a\nb']"],
    [[Buffer.from('610a62', 'hex')], true, "(b'a\nb',)"],
    [
      new Date('2026-01-02T03:04:05.123Z'),
      false,
      'datetime.datetime(2026, 1, 2, 3, 4, 5, 123000, tzinfo=datetime.timezone.utc)',
    ],
    [
      new Date('2026-01-02T03:04:00.000Z'),
      false,
      'datetime.datetime(2026, 1, 2, 3, 4, tzinfo=datetime.timezone.utc)',
    ],
    [
      new Date('2026-01-02T00:00:05.000Z'),
      false,
      'datetime.datetime(2026, 1, 2, 0, 0, 5, tzinfo=datetime.timezone.utc)',
    ],
    [
      new Date('2026-01-02T03:04:00.001Z'),
      false,
      'datetime.datetime(2026, 1, 2, 3, 4, 0, 1000, tzinfo=datetime.timezone.utc)',
    ],
    [
      [new Date('2026-11-23T23:08:21.487Z')],
      false,
      '[datetime.datetime(2026, 11, 23, 23, 8, 21, 487000, tzinfo=datetime.timezone.utc)]',
    ],
    [
      [new Date('2026-11-23T23:08:21.487Z')],
      true,
      '(datetime.datetime(2026, 11, 23, 23, 8, 21, 487000, tzinfo=datetime.timezone.utc),)',
    ],
  ])('saferepr(%p, 1024, asTuple=%p) is %p', (value, asTuple, expected) => {
    expect(saferepr(value, 1024, asTuple)).toBe(expected);
  });

  it.each<[unknown, number, boolean, string]>([
    [
      [
        [1, 2],
        [3, 4],
      ],
      5,
      false,
      '[[1, , ...]]',
    ],
    [[1, 2], 4, false, '[1, , ...]'],
    ['xxxxxxxxxx', 10, false, "'xxxxxxxxxx...'"],
    ['xxxxxxxxx', 10, false, "'xxxxxxxxx'"],
    [NESTED, 0, false, ', ...}'],
    [WORKFLOW_ARGS, 0, true, ', ...)'],
    [NESTED, 1, false, '{, ...}'],
    [WORKFLOW_ARGS, 1, true, '(, ...])'],
    [NESTED, 2, false, "{'a...', ...}"],
    [WORKFLOW_ARGS, 3, true, '([1..., ...])'],
    [WORKFLOW_ARGS, 4, true, '([1, , ...]])'],
    [NESTED, 5, false, "{'a': , ...]}"],
    [MIXED, 5, true, '(1.25..., ...)'],
    [WORKFLOW_ARGS, 6, true, '([1, [, ...]])'],
    [NESTED, 9, false, "{'a': [1, , ...]}"],
    [WORKFLOW_ARGS, 10, true, "([1, [2, 'a...', ...])"],
    [MIXED, 10, true, "(1.25, 'it\\'...', ...)"],
    [MIXED, 12, true, "(1.25, 'it\\'s', ...)"],
    [NESTED, 13, false, "{'a': [1, 'it\\'...', ...]}"],
    [NESTED, 15, false, "{'a': [1, 'it\\'s', ...]}"],
    [MIXED, 15, true, "(1.25, 'it\\'s', , ...])"],
    [WORKFLOW_ARGS, 17, true, "([1, [2, 'abc def', ...])"],
    [NESTED, 18, false, "{'a': [1, 'it\\'s', , ...}]}"],
    [WORKFLOW_ARGS, 19, true, "([1, [2, 'abc def'], ...)"],
    [WORKFLOW_ARGS, 20, true, "([1, [2, 'abc def']], ...)"],
    [NESTED, 21, false, "{'a': [1, 'it\\'s', {'b...', ...}]}"],
    [WORKFLOW_ARGS, 21, true, "([1, [2, 'abc def']], , ...})"],
    [MIXED, 22, true, "(1.25, 'it\\'s', [None], ..."],
    [MIXED, 23, true, "(1.25, 'it\\'s', [None])"],
    [WORKFLOW_ARGS, 24, true, "([1, [2, 'abc def']], {'k...', ...})"],
    [WORKFLOW_ARGS, 25, true, "([1, [2, 'abc def']], {'k', ...})"],
    [NESTED, 26, false, "{'a': [1, 'it\\'s', {'b': [..., ...]}"],
    [WORKFLOW_ARGS, 27, true, "([1, [2, 'abc def']], {'k': , ...]})"],
    [NESTED, 30, false, "{'a': [1, 'it\\'s', {'b': [...]..., ...]}"],
    [WORKFLOW_ARGS, 30, true, "([1, [2, 'abc def']], {'k': [3..., ...})"],
    [NESTED, 31, false, "{'a': [1, 'it\\'s', {'b': [...]}, ...}"],
    [WORKFLOW_ARGS, 31, true, "([1, [2, 'abc def']], {'k': [3], ...)"],
    [NESTED, 32, false, "{'a': [1, 'it\\'s', {'b': [...]}], ...}"],
    [WORKFLOW_ARGS, 32, true, "([1, [2, 'abc def']], {'k': [3]}, ..."],
    [NESTED, 33, false, "{'a': [1, 'it\\'s', {'b': [...]}], , ...}"],
    [
      NESTED,
      43,
      false,
      "{'a': [1, 'it\\'s', {'b': [...]}], 'c': None..., ...}",
    ],
    [NESTED, 44, false, "{'a': [1, 'it\\'s', {'b': [...]}], 'c': None, , ...}"],
    [
      NESTED,
      51,
      false,
      "{'a': [1, 'it\\'s', {'b': [...]}], 'c': None, 'd': 'l...', ...",
    ],
    [[42], 0, true, ', ...,)'],
    [[], 0, true, ', ...)'],
    [{}, 0, false, ', ...}'],
    [[42], 1, true, '(, ...,)'],
    [[], 1, true, '(, ...'],
    [{}, 1, false, '{, ...'],
    [[42], 2, true, '(4..., ...'],
    [[], 2, true, '()'],
    [{}, 2, false, '{}'],
    [[42], 3, true, '(42..., ...'],
    [[42], 4, true, '(42,)'],
  ])(
    'saferepr(%p, %p, asTuple=%p) is %p',
    (value, maxlen, asTuple, expected) => {
      expect(saferepr(value, maxlen, asTuple)).toBe(expected);
    },
  );

  it.each<[string, unknown, number | null, boolean, string]>([
    ['long str', 'x'.repeat(2000), 1024, false, `'${'x'.repeat(1024)}...'`],
    [
      'cut at last space',
      'word '.repeat(300),
      1024,
      false,
      `'${'word '.repeat(203)}word...'`,
    ],
    [
      'code points, not UTF-16 units',
      '😀'.repeat(2000),
      1024,
      false,
      `'${'😀'.repeat(1024)}...'`,
    ],
    [
      'long list',
      range(500),
      1024,
      false,
      `[${range(226).join(', ')}, 226..., ...]`,
    ],
    [
      'long tuple',
      range(500),
      1024,
      true,
      `(${range(226).join(', ')}, 226..., ...)`,
    ],
    ['unlimited', range(300), null, false, `[${range(300).join(', ')}]`],
    ['unlimited tuple', [[3, 7]], null, true, '([3, 7],)'],
    [
      'closer lost after a long str',
      ['abc'.repeat(400)],
      1024,
      true,
      `('${'abc'.repeat(341)}...', ...`,
    ],
    [
      'closer lost after a long value',
      { k: 'v'.repeat(1100) },
      1024,
      false,
      `{'k': '${'v'.repeat(1018)}...', ...`,
    ],
    [
      'escapes added after the cut',
      ["it's ".repeat(300)],
      1024,
      false,
      `['${"it\\'s ".repeat(203)}it\\'s...', ...`,
    ],
    [
      'long key',
      { ['a'.repeat(1100)]: 1 },
      1024,
      false,
      `{'${'a'.repeat(1023)}...', ...}`,
    ],
  ])('%s', (_name, value, maxlen, asTuple, expected) => {
    expect(saferepr(value, maxlen, asTuple)).toBe(expected);
  });

  it('defaults to maxlen 1024 and a list', () => {
    expect(saferepr('x'.repeat(2000))).toBe(`'${'x'.repeat(1024)}...'`);
    expect(saferepr([1])).toBe('[1]');
  });
});

describe('argsRepr and kwargsRepr', () => {
  it.each<[unknown[], 'list' | 'tuple', string]>([
    [[1, 2], 'list', '[1, 2]'],
    [[1, 2], 'tuple', '(1, 2)'],
    [[[3, 7]], 'tuple', '([3, 7],)'],
    [[], 'tuple', '()'],
    [[], 'list', '[]'],
    [[2, 2], 'tuple', '(2, 2)'],
  ])('argsRepr(%p, %p) is %p', (args, form, expected) => {
    expect(argsRepr(args, form)).toBe(expected);
  });

  it.each<[Record<string, unknown>, string]>([
    [{}, '{}'],
    [{ x: 1, y: "it's" }, "{'x': 1, 'y': 'it\\'s'}"],
    [{ n: null, ok: true }, "{'n': None, 'ok': True}"],
  ])('kwargsRepr(%p) is %p', (kwargs, expected) => {
    expect(kwargsRepr(kwargs)).toBe(expected);
  });

  // Flat values take a shortcut; it must print what saferepr's walk prints,
  // up to and across the length where saferepr starts cutting.
  it.each<[string, unknown[]]>([
    ['scalars', [1, -2.5, 1e21, 0.1, true, false, null, "it's", 'x y', 'é😀']],
    ['one item', [7]],
    ['a string just under the limit', ['a'.repeat(1015)]],
    ['a string at the limit', ['a b '.repeat(256)]],
    ['many numbers', range(400)],
    ['many short strings', range(300).map(String)],
    ['astral strings near the limit', ['😀'.repeat(600)]],
  ])('argsRepr of %s is saferepr', (_, args) => {
    for (const form of ['list', 'tuple'] as const) {
      expect(argsRepr(args, form)).toBe(saferepr(args, 1024, form === 'tuple'));
    }
    const kwargs = Object.fromEntries(args.map((item, i) => [`k${i}`, item]));
    expect(kwargsRepr(kwargs)).toBe(saferepr(kwargs, 1024));
  });
});

describe('pyRepr', () => {
  it.each<[unknown, string]>([
    [null, 'None'],
    [true, 'True'],
    [false, 'False'],
    [0, '0'],
    [1, '1'],
    [-1, '-1'],
    [9007199254740991, '9007199254740991'],
    [-9007199254740991, '-9007199254740991'],
    [1.5, '1.5'],
    [-0, '-0.0'],
    [100000000000000000000, '1e+20'],
    [10000000000000000, '1e+16'],
    [1000000000000000.5, '1000000000000000.5'],
    [0.00001, '1e-05'],
    [0.0001, '0.0001'],
    [0.000011, '1.1e-05'],
    [123456789.123, '123456789.123'],
    [NaN, 'nan'],
    [Infinity, 'inf'],
    [-Infinity, '-inf'],
    [5e-324, '5e-324'],
    [1.7976931348623157e308, '1.7976931348623157e+308'],
    [0.30000000000000004, '0.30000000000000004'],
    [-2.5e-7, '-2.5e-07'],
    [9007199254740994, '9007199254740994.0'],
    ['', "''"],
    ['a', "'a'"],
    ["it's", '"it\'s"'],
    ['say "hi"', '\'say "hi"\''],
    ['both \' and "', "'both \\' and \"'"],
    ['a\nb', "'a\\nb'"],
    ['tab\there', "'tab\\there'"],
    ['back\\slash', "'back\\\\slash'"],
    ['cr\r', "'cr\\r'"],
    ['é', "'é'"],
    ['日本', "'日本'"],
    ['😀', "'😀'"],
    ['\u0000', "'\\x00'"],
    ['\u001b[0m', "'\\x1b[0m'"],
    ['\u007f', "'\\x7f'"],
    ['\u200b', "'\\u200b'"],
    ['\u00a0', "'\\xa0'"],
    ['\u00ad', "'\\xad'"],
    ['\u2028', "'\\u2028'"],
    ['\ud800', "'\\ud800'"],
    ['café 😀', "'café 😀'"],
    [[], '[]'],
    [{}, '{}'],
    [[1, 2], '[1, 2]'],
    [[[3, 7]], '[[3, 7]]'],
    [{ a: 1, b: [2] }, "{'a': 1, 'b': [2]}"],
    [[null, true, 1.5, 's'], "[None, True, 1.5, 's']"],
    [[[[[1]]]], '[[[[1]]]]'],
    [[[[[]]]], '[[[[]]]]'],
    [[[[{}]]], '[[[{}]]]'],
    [{ a: { b: { c: { d: 1 } } } }, "{'a': {'b': {'c': {'d': 1}}}}"],
    [{ a: { b: { c: 1 } } }, "{'a': {'b': {'c': 1}}}"],
    [{ "it's": 'v', 'k"': 1 }, "{\"it's\": 'v', 'k\"': 1}"],
    [
      NESTED,
      "{'a': [1, \"it's\", {'b': [2, 3, 'x y z']}], 'c': None, 'd': 'long text here'}",
    ],
    [Buffer.from('616263', 'hex'), "b'abc'"],
    [Buffer.from('ff00', 'hex'), "b'\\xff\\x00'"],
    [Buffer.from('69742773', 'hex'), 'b"it\'s"'],
    [[Buffer.from('610a62', 'hex')], "[b'a\\nb']"],
    [
      new Date('2026-01-02T03:04:05.123Z'),
      'datetime.datetime(2026, 1, 2, 3, 4, 5, 123000, tzinfo=datetime.timezone.utc)',
    ],
    [
      new Date('2026-01-02T03:04:00.000Z'),
      'datetime.datetime(2026, 1, 2, 3, 4, tzinfo=datetime.timezone.utc)',
    ],
    [
      new Date('2026-01-02T00:00:05.000Z'),
      'datetime.datetime(2026, 1, 2, 0, 0, 5, tzinfo=datetime.timezone.utc)',
    ],
    [
      new Date('2026-01-02T03:04:00.001Z'),
      'datetime.datetime(2026, 1, 2, 3, 4, 0, 1000, tzinfo=datetime.timezone.utc)',
    ],
    [
      [new Date('2026-11-23T23:08:21.487Z')],
      '[datetime.datetime(2026, 11, 23, 23, 8, 21, 487000, tzinfo=datetime.timezone.utc)]',
    ],
    [undefined, 'None'],
  ])('pyRepr(%p) is %p', (value, expected) => {
    expect(pyRepr(value)).toBe(expected);
  });

  it.each<[string, unknown, string]>([
    ['a list in itself', selfContaining([]), '[1, [...]]'],
    ['a dict in itself', selfContaining({}), "{'a': 1, 'self': {...}}"],
  ])('prints %s as Python does', (_name, value, expected) => {
    expect(pyRepr(value)).toBe(expected);
  });
});

class Job {
  readonly id = 1;
}

describe('pyRepr of values JSON cannot carry', () => {
  it.each<[string, unknown, string]>([
    [
      'a bigint, as a Python int',
      12345678901234567890n,
      '12345678901234567890',
    ],
    ['a class instance', new Job(), '<Job object>'],
    ['a Map', new Map([[1, 2]]), '<Map object>'],
    ['an Error, through String()', new Error('boom'), 'Error: boom'],
    ['an invalid Date', new Date(Number.NaN), 'Invalid Date'],
  ])('prints %s', (_name, value, expected) => {
    expect(pyRepr(value)).toBe(expected);
    expect(saferepr(value)).toBe(expected);
  });
});

function selfContaining(
  container: unknown[] | Record<string, unknown>,
): unknown[] | Record<string, unknown> {
  if (Array.isArray(container)) {
    container.push(1, container);
  } else {
    container['a'] = 1;
    container['self'] = container;
  }
  return container;
}

describe('pyTupleRepr', () => {
  it.each<[unknown[], string]>([
    [[1, 2], '(1, 2)'],
    [[[3, 7]], '([3, 7],)'],
    [[null, true, 1.5, 's'], "(None, True, 1.5, 's')"],
    [[[[[1]]]], '([[[1]]],)'],
    [[[[[]]]], '([[[]]],)'],
    [[[[{}]]], '([[{}]],)'],
    [[Buffer.from('610a62', 'hex')], "(b'a\\nb',)"],
    [
      [new Date('2026-11-23T23:08:21.487Z')],
      '(datetime.datetime(2026, 11, 23, 23, 8, 21, 487000, tzinfo=datetime.timezone.utc),)',
    ],
    [[], '()'],
  ])('pyTupleRepr(%p) is %p', (values, expected) => {
    expect(pyTupleRepr(values)).toBe(expected);
  });
});

describe('pyFloatRepr', () => {
  it.each<[number, string]>([
    [1, '1.0'],
    [100, '100.0'],
    [1e15, '1000000000000000.0'],
    [1e16, '1e+16'],
    [1.5e-5, '1.5e-05'],
    [0.00012, '0.00012'],
    [-1e100, '-1e+100'],
    [NaN, 'nan'],
  ])('pyFloatRepr(%p) is %p', (value, expected) => {
    expect(pyFloatRepr(value)).toBe(expected);
  });
});
