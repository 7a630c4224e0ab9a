import { parseTaskQuery, queryTasks, TaskQueryError } from './task-query';
import { emptyTask, type TaskRecord } from '../contract/flower-task';

function task(uuid: string, fields: Partial<TaskRecord>): TaskRecord {
  return { ...emptyTask(uuid), ...fields };
}

const tasks = [
  task('a', {
    name: 'add',
    state: 'SUCCESS',
    received: 10,
    worker: 'w1',
    result: '5',
  }),
  task('b', {
    name: 'mul',
    state: 'FAILURE',
    received: 30,
    worker: 'w2',
    args: "['x']",
  }),
  task('c', { name: 'add', state: 'STARTED', received: 20, worker: 'w1' }),
  task('d', { name: 'add', state: 'PENDING', received: null }),
];

const ids = (list: TaskRecord[]) => list.map((t) => t.uuid);

describe('parseTaskQuery', () => {
  it("reads Flower's parameters, 'All' meaning no filter", () => {
    expect(
      parseTaskQuery({
        limit: '2',
        offset: '1',
        sort_by: '-received',
        workername: 'All',
        state: 'SUCCESS',
      }),
    ).toEqual({
      limit: 2,
      offset: 1,
      sortBy: { key: 'received', descending: true },
      worker: undefined,
      taskName: undefined,
      state: 'SUCCESS',
      search: undefined,
    });
  });

  it.each([
    [{ limit: '-1' }],
    [{ limit: '1.5' }],
    [{ offset: 'x' }],
    [{ sort_by: 'runtime' }],
    [{ received_start: '2024-13-01 00:00' }],
    [{ received_end: 'now' }],
    [{ state: ['A', 'B'] }],
  ])('refuses %j', (params) => {
    expect(() => parseTaskQuery(params)).toThrow(TaskQueryError);
  });

  it('reads received_start as YYYY-MM-DD HH:MM', () => {
    expect(
      parseTaskQuery({ received_start: '1970-01-01 00:01' }).receivedStart,
    ).toBe(60 + new Date(0).getTimezoneOffset() * 60);
  });
});

describe('queryTasks', () => {
  it('filters by worker, name and state', () => {
    expect(
      ids(
        queryTasks(
          tasks,
          parseTaskQuery({ workername: 'w1', taskname: 'add' }),
        ),
      ),
    ).toEqual(['a', 'c']);
    expect(
      ids(queryTasks(tasks, parseTaskQuery({ state: 'FAILURE' }))),
    ).toEqual(['b']);
  });

  it('sorts, missing values last, and pages', () => {
    expect(
      ids(queryTasks(tasks, parseTaskQuery({ sort_by: '-received' }))),
    ).toEqual(['b', 'c', 'a', 'd']);
    expect(
      ids(queryTasks(tasks, parseTaskQuery({ sort_by: 'received' }))),
    ).toEqual(['a', 'c', 'b', 'd']);
    expect(
      ids(
        queryTasks(
          tasks,
          parseTaskQuery({ sort_by: 'received', offset: '1', limit: '2' }),
        ),
      ),
    ).toEqual(['c', 'b']);
  });

  it('filters on the received window', () => {
    expect(
      ids(queryTasks(tasks, { offset: 0, receivedStart: 15, receivedEnd: 25 })),
    ).toEqual(['c']);
  });

  it('searches words anywhere and field:value terms in their field', () => {
    expect(ids(queryTasks(tasks, parseTaskQuery({ search: "'x'" })))).toEqual([
      'b',
    ]);
    expect(
      ids(queryTasks(tasks, parseTaskQuery({ search: 'result:5' }))),
    ).toEqual(['a']);
    expect(
      ids(queryTasks(tasks, parseTaskQuery({ search: 'state:success' }))),
    ).toEqual(['a']);
    expect(
      ids(queryTasks(tasks, parseTaskQuery({ search: 'add w1' }))),
    ).toEqual(['a', 'c']);
  });
});
