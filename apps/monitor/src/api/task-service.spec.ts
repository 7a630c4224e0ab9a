import { parsePythonLiteral } from './task-service';

describe('parsePythonLiteral', () => {
  it.each([
    ['[1, 2]', [1, 2]],
    ['(1, 2)', [1, 2]],
    ['(1,)', [1]],
    ["['x', 1]", ['x', 1]],
    ["{'a': None, 'b': True, 'c': False}", { a: null, b: true, c: false }],
    ["['it\\'s']", ["it's"]],
  ])('reads %s', (text, value) => {
    expect(parsePythonLiteral(text)).toEqual(value);
  });

  it.each(['<object at 0x1>', '[1, ...]', 'datetime.datetime(2020, 1, 1)'])(
    'gives null for %s',
    (text) => {
      expect(parsePythonLiteral(text)).toBeNull();
    },
  );
});
