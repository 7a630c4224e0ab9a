import { TaskArgumentsError } from '../errors/task-arguments.error';
import { bindArguments } from './bind-arguments';

type Kwargs = Record<string, unknown>;

const ADD = ['a', 'b'];

describe(bindArguments.name, () => {
  it.each<[string, string[], unknown[], Kwargs, unknown[]]>([
    ['positional args', ADD, [1, 2], {}, [1, 2]],
    ['kwargs only', ADD, [], { a: 1, b: 2 }, [1, 2]],
    ['kwargs in another order', ADD, [], { b: 2, a: 1 }, [1, 2]],
    ['positional and keyword args', ADD, [1], { b: 2 }, [1, 2]],
    [
      'null and nested values',
      ADD,
      [null],
      { b: [3, { c: 4 }] },
      [null, [3, { c: 4 }]],
    ],
    ['no args for no params', [], [], {}, []],
    [
      'any positionals for *args',
      ['*args'],
      [1, 'x', null],
      {},
      [1, 'x', null],
    ],
    ['named params before *args', ['a', '*args'], [1, 2, 3], {}, [1, 2, 3]],
    [
      'unknown keywords for **kwargs, left in kwargs',
      ['*args', '**kwargs'],
      [1],
      { index: 0 },
      [1],
    ],
    [
      'a named keyword beside **kwargs',
      ['a', '**kwargs'],
      [],
      { a: 1, z: 2 },
      [1],
    ],
  ])('binds %s', (_name, params, args, kwargs, bound) => {
    const sut = bindArguments('add_task', params, args, kwargs);

    expect(sut).toEqual({ args: bound, kwargs });
  });

  it.each<[string, string[], unknown[], Kwargs, string]>([
    [
      'too many positional args',
      ADD,
      [1, 2, 3],
      {},
      'add_task() takes 2 positional arguments but 3 were given',
    ],
    [
      'two args for one param',
      ['a'],
      [1, 2],
      {},
      'add_task() takes 1 positional argument but 2 were given',
    ],
    [
      'one arg for no params',
      [],
      [1],
      {},
      'add_task() takes 0 positional arguments but 1 was given',
    ],
    [
      'one missing arg',
      ADD,
      [1],
      {},
      "add_task() missing 1 required positional argument: 'b'",
    ],
    [
      'two missing args',
      ADD,
      [],
      {},
      "add_task() missing 2 required positional arguments: 'a' and 'b'",
    ],
    [
      'three missing args',
      ['total', 'a', 'b'],
      [],
      {},
      "add_task() missing 3 required positional arguments: 'total', 'a', and 'b'",
    ],
    [
      'a keyword filling the wrong gap',
      ADD,
      [],
      { b: 2 },
      "add_task() missing 1 required positional argument: 'a'",
    ],
    [
      'too many positionals beside **kwargs only',
      ['a', '**kwargs'],
      [1, 2],
      {},
      'add_task() takes 1 positional argument but 2 were given',
    ],
    [
      'an unexpected keyword beside *args only',
      ['*args'],
      [],
      { index: 0 },
      "add_task() got an unexpected keyword argument 'index'",
    ],
    [
      'an unexpected keyword',
      ADD,
      [1, 2],
      { c: 3 },
      "add_task() got an unexpected keyword argument 'c'",
    ],
    [
      'an unexpected keyword beside too many args',
      ADD,
      [1, 2, 3],
      { c: 3 },
      "add_task() got an unexpected keyword argument 'c'",
    ],
    [
      'a positional arg also given by keyword',
      ADD,
      [1, 2],
      { a: 3 },
      "add_task() got multiple values for argument 'a'",
    ],
  ])(
    "rejects %s with Python's TypeError wording",
    (_name, params, args, kwargs, message) => {
      let thrown: unknown;
      try {
        bindArguments('add_task', params, args, kwargs);
      } catch (error) {
        thrown = error;
      }

      expect(thrown).toBeInstanceOf(TaskArgumentsError);
      expect(thrown).toBeInstanceOf(TypeError);
      expect(thrown).toMatchObject({ name: 'TypeError', message });
    },
  );
});
