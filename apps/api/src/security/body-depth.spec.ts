import { nestsDeeperThan } from './body-depth';

const nested = (depth: number): unknown => {
  let value: unknown = 1;
  for (let level = 0; level < depth; level++) {
    value = level % 2 === 0 ? [value] : { a: value };
  }
  return value;
};

describe(nestsDeeperThan.name, () => {
  it.each([
    ['a number', 1, 0, false],
    ['an empty object', {}, 1, false],
    ['an object in an object', { a: {} }, 1, true],
    ['3 levels, limit 3', nested(3), 3, false],
    ['4 levels, limit 3', nested(4), 3, true],
    [
      'a wide flat body',
      { args: Array.from({ length: 10_000 }, () => 1) },
      2,
      false,
    ],
    ['a deep branch after flat ones', { a: 1, b: [2], c: nested(5) }, 5, true],
  ])('%s', (_name, value, limit, deeper) => {
    expect(nestsDeeperThan(value, limit)).toBe(deeper);
  });

  it('walks 100 000 levels without overflowing the stack', () => {
    expect(nestsDeeperThan(nested(100_000), 128)).toBe(true);
  });
});
