import {
  headerResultsOf,
  joinHeader,
  leafIdsOf,
  type StoredOutcome,
} from './chord-unlock';

const success = (result: unknown): StoredOutcome => ({
  status: 'SUCCESS',
  result,
});
const failure = (type: string, message: string): StoredOutcome => ({
  status: 'FAILURE',
  result: { exc_type: type, exc_message: [message], exc_module: 'builtins' },
});

// What Celery's fallback_chord_unlock sends: [r.as_tuple() for r in header].
const HEADER = [
  [['a', null], null],
  // A chain in the header: its last result, with its parent.
  [['b', ['b-parent', null]], null],
  // A chord in the header whose body is a group: a GroupResult tuple.
  [
    ['g', null],
    [
      [['c', null], null],
      [['d', null], null],
    ],
  ],
];

describe(headerResultsOf.name, () => {
  it("reads Celery's result tuples, nested GroupResults included", () => {
    const header = headerResultsOf(HEADER);

    expect(header).toEqual([
      { id: 'a' },
      { id: 'b' },
      { id: 'g', children: [{ id: 'c' }, { id: 'd' }] },
    ]);
    expect(leafIdsOf(header)).toEqual(['a', 'b', 'c', 'd']);
  });

  it('takes a bare id as the result part, as result_from_tuple does', () => {
    expect(headerResultsOf([['a', null]])).toEqual([{ id: 'a' }]);
  });

  it.each([[null], [[['a']]], [[[1, null]]], [[[['a'], 'x']]]])(
    'refuses %j',
    (result) => {
      expect(() => headerResultsOf(result)).toThrow(TypeError);
    },
  );
});

describe(joinHeader.name, () => {
  const header = headerResultsOf(HEADER);

  it('is not ready while any task is pending, unknown or retrying', () => {
    const outcomes = new Map([
      ['a', success(1)],
      ['b', { status: 'RETRY', result: null }],
      ['c', success(3)],
    ]);

    expect(joinHeader(header, outcomes)).toEqual({ ready: false });
  });

  it('joins the values in header order, a group as its list', () => {
    const outcomes = new Map([
      ['d', success(4)],
      ['c', success(3)],
      ['b', success(2)],
      ['a', success(1)],
    ]);

    expect(joinHeader(header, outcomes)).toEqual({
      ready: true,
      values: [1, 2, [3, 4]],
    });
  });

  it("fails with Celery's ChordError reason: the first failure in header order", () => {
    const outcomes = new Map([
      ['a', success(1)],
      ['b', success(2)],
      ['c', failure('ValueError', 'boom')],
      ['d', failure('KeyError', 'late')],
    ]);

    expect(joinHeader(header, outcomes)).toEqual({
      ready: true,
      failure: "Dependency c raised ValueError('boom')",
    });
  });

  it('names the first FAILURE, even when a revoked task raised first', () => {
    const revoked: StoredOutcome = {
      status: 'REVOKED',
      result: {
        exc_type: 'TaskRevokedError',
        exc_message: ['revoked'],
        exc_module: 'celery.exceptions',
      },
    };
    const outcomes = new Map([
      ['a', revoked],
      ['b', failure('ValueError', 'boom')],
      ['c', success(3)],
      ['d', success(4)],
    ]);

    expect(joinHeader(header, outcomes)).toEqual({
      ready: true,
      failure: "Dependency b raised TaskRevokedError('revoked')",
    });
    outcomes.set('b', success(2));
    expect(joinHeader(header, outcomes)).toEqual({
      ready: true,
      failure: "TaskRevokedError('revoked')",
    });
  });
});
