import { ProblemCode } from '../problem/problem-details.filter';
import {
  bytesOf,
  MAX_FORM_PARAMETERS,
  parseFormBody,
  parseJsonBody,
} from './body-parsers';
import { MAX_BODY_DEPTH } from './body-depth';

const JSON_TYPE = { 'content-type': 'application/json' };
const FORM_TYPE = { 'content-type': 'application/x-www-form-urlencoded' };

function problemOf(run: () => unknown): { status: number; code: string } {
  try {
    run();
  } catch (error) {
    const { code } = error as { code: string };
    return { status: (error as { getStatus(): number }).getStatus(), code };
  }
  throw new Error('did not throw');
}

describe(bytesOf.name, () => {
  it.each([
    ['1mb', 1024 ** 2],
    ['512kb', 512 * 1024],
    ['1.5MB', 1.5 * 1024 ** 2],
    ['2048', 2048],
    ['10b', 10],
  ])('%s is %d bytes', (size, bytes) => {
    expect(bytesOf(size)).toBe(bytes);
  });

  it('refuses what is not a size', () => {
    expect(() => bytesOf('lots')).toThrow('not a size');
  });
});

describe(parseJsonBody.name, () => {
  it('parses an object and an array', () => {
    expect(parseJsonBody(JSON_TYPE, Buffer.from('{"a":[1,2]}'))).toEqual({
      a: [1, 2],
    });
    expect(parseJsonBody(JSON_TYPE, Buffer.from(' [1]'))).toEqual([1]);
  });

  it('reads an empty body as {}', () => {
    expect(parseJsonBody(JSON_TYPE, Buffer.alloc(0))).toEqual({});
  });

  it.each(['{"a":', '"text"', '42', 'null', '   ', '{"a":1}{"a":1}'])(
    'answers %j with a 400 that does not echo it',
    (text) => {
      expect(
        problemOf(() => parseJsonBody(JSON_TYPE, Buffer.from(text))),
      ).toEqual({ status: 400, code: ProblemCode.MalformedJson });
    },
  );

  it('answers a body nested past the limit with a 400', () => {
    const deep = `${'['.repeat(MAX_BODY_DEPTH + 1)}${']'.repeat(MAX_BODY_DEPTH + 1)}`;
    expect(
      problemOf(() => parseJsonBody(JSON_TYPE, Buffer.from(deep))),
    ).toEqual({
      status: 400,
      code: ProblemCode.BodyTooDeep,
    });
  });

  it('answers another charset or an encoded body with a 415', () => {
    const latin1 = { 'content-type': 'application/json; charset=latin1' };
    const gzip = { ...JSON_TYPE, 'content-encoding': 'gzip' };
    for (const headers of [latin1, gzip]) {
      expect(
        problemOf(() => parseJsonBody(headers, Buffer.from('{}'))),
      ).toEqual({ status: 415, code: ProblemCode.HttpError });
    }
    const utf8 = { 'content-type': 'application/json; charset=UTF-8' };
    expect(parseJsonBody(utf8, Buffer.from('{}'))).toEqual({});
  });
});

describe(parseFormBody.name, () => {
  it('parses flat fields, a repeated name as a list', () => {
    expect(parseFormBody(FORM_TYPE, Buffer.from('task=add&a=1&a=2'))).toEqual({
      task: 'add',
      a: ['1', '2'],
    });
  });

  it('answers more than MAX_FORM_PARAMETERS with a 413', () => {
    const form = `task=x${'&k=1'.repeat(MAX_FORM_PARAMETERS)}`;
    expect(
      problemOf(() => parseFormBody(FORM_TYPE, Buffer.from(form))),
    ).toEqual({
      status: 413,
      code: ProblemCode.PayloadTooLarge,
    });
  });
});
