import { HttpStatus } from '@nestjs/common';
import {
  ProblemCode,
  ProblemException,
} from '../problem/problem-details.filter';
import { parseIdempotencyKey } from './idempotency-key';

describe(parseIdempotencyKey.name, () => {
  it('has no key when the header is absent', () => {
    expect(parseIdempotencyKey(undefined)).toBeUndefined();
  });

  it.each([
    ['a UUID', '0b7c6f1e-1d5a-4c1f-9a57-3e0d7c5b2a10'],
    ['one character', 'k'],
    ['255 characters', 'x'.repeat(255)],
    ['spaces and punctuation', 'order 42: retry #1 ~ {a}'],
  ])('accepts %s', (_, key) => {
    expect(parseIdempotencyKey(key)).toBe(key);
  });

  it.each([
    ['an empty value', ''],
    ['256 characters', 'x'.repeat(256)],
    ['a tab', 'a\tb'],
    ['a newline', 'a\nb'],
    ['DEL', 'a\x7fb'],
    ['non-ASCII', 'clé'],
    ['a repeated header', ['a', 'b']],
  ])('refuses %s with a 400 problem', (_, header) => {
    let thrown: unknown;
    try {
      parseIdempotencyKey(header);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ProblemException);
    const problem = thrown as ProblemException;
    expect(problem.getStatus()).toBe(HttpStatus.BAD_REQUEST);
    expect(problem.code).toBe(ProblemCode.IdempotencyKeyInvalid);
    expect(problem.message).toBe(
      'Idempotency-Key must be 1 to 255 printable ASCII characters.',
    );
  });
});
