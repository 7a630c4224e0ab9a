import {
  combineUpdates,
  mergeTask,
  queryTasks,
  TaskStore,
  type TaskQuery,
} from './task-store';

const byReceived: TaskQuery = { sortBy: 'received', descending: true };

describe('mergeTask', () => {
  it('starts an unknown task from its update', () => {
    const task = mergeTask(undefined, {
      uuid: 'a',
      name: 'add_task',
      state: 'RECEIVED',
      received: 1,
    });
    expect(task).toMatchObject({
      uuid: 'a',
      name: 'add_task',
      state: 'RECEIVED',
      received: 1,
      result: null,
    });
  });

  it('keeps known values when a later update sends nulls', () => {
    const received = mergeTask(undefined, {
      uuid: 'a',
      name: 'add_task',
      args: '(1, 2)',
      state: 'RECEIVED',
    });
    const started = mergeTask(received, {
      uuid: 'a',
      name: null,
      args: null,
      state: 'STARTED',
      started: 2,
    });
    expect(started).toMatchObject({
      name: 'add_task',
      args: '(1, 2)',
      state: 'STARTED',
      started: 2,
    });
  });

  it('does not take a finished task back to running', () => {
    const done = mergeTask(undefined, {
      uuid: 'a',
      state: 'SUCCESS',
      result: '3',
    });
    expect(
      mergeTask(done, {
        uuid: 'a',
        state: 'PROGRESS',
        progress: { current: 5, total: 20 },
      }).state,
    ).toBe('SUCCESS');
    expect(mergeTask(done, { uuid: 'a', state: 'FAILURE' }).state).toBe(
      'FAILURE',
    );
  });

  it('follows progress while running', () => {
    const first = mergeTask(undefined, {
      uuid: 'a',
      state: 'PROGRESS',
      progress: { current: 1, total: 20 },
    });
    expect(
      mergeTask(first, {
        uuid: 'a',
        state: 'PROGRESS',
        progress: { current: 2, total: 20 },
      }).progress,
    ).toEqual({ current: 2, total: 20 });
  });
});

describe('combineUpdates', () => {
  it('keeps what only the earlier update knew, and a finished state', () => {
    expect(
      combineUpdates(
        { uuid: 'a', state: 'SUCCESS', result: '3', name: 'add_task' },
        { uuid: 'a', state: 'STARTED', name: null, worker: 'w1' },
      ),
    ).toEqual({
      uuid: 'a',
      state: 'SUCCESS',
      result: '3',
      name: 'add_task',
      worker: 'w1',
    });
  });
});

describe('queryTasks', () => {
  const store = new TaskStore();
  store.apply([
    {
      uuid: 'aaa-1',
      name: 'add_task',
      state: 'SUCCESS',
      worker: 'w1',
      received: 3,
      runtime: 2,
      args: '(1, 2)',
    },
    {
      uuid: 'bbb-2',
      name: 'multi_task',
      state: 'FAILURE',
      worker: 'w2',
      received: 1,
      runtime: 5,
    },
    {
      uuid: 'ccc-3',
      name: 'add_task',
      state: 'PROGRESS',
      worker: 'w2',
      received: 2,
    },
    { uuid: 'ddd-4', name: 'add_task', state: 'PENDING', sent: 4 },
  ]);
  const ids = (query: Partial<TaskQuery>, offset = 0, limit = 10) =>
    queryTasks(
      store.values(),
      { ...byReceived, ...query },
      offset,
      limit,
    ).rows.map((t) => t.uuid);

  it('sorts newest first, a task seen only as sent by its sent time', () => {
    expect(ids({})).toEqual(['ddd-4', 'aaa-1', 'ccc-3', 'bbb-2']);
    expect(ids({ descending: false })).toEqual([
      'bbb-2',
      'ccc-3',
      'aaa-1',
      'ddd-4',
    ]);
  });

  it('puts tasks without the sort value last in both directions', () => {
    expect(ids({ sortBy: 'runtime' })).toEqual([
      'bbb-2',
      'aaa-1',
      'ccc-3',
      'ddd-4',
    ]);
    expect(ids({ sortBy: 'runtime', descending: false })).toEqual([
      'aaa-1',
      'bbb-2',
      'ccc-3',
      'ddd-4',
    ]);
  });

  it('filters by state, name and worker together', () => {
    expect(ids({ name: 'add_task' })).toEqual(['ddd-4', 'aaa-1', 'ccc-3']);
    expect(ids({ name: 'add_task', worker: 'w2' })).toEqual(['ccc-3']);
    expect(ids({ state: 'FAILURE' })).toEqual(['bbb-2']);
  });

  it('searches ids and args, case-insensitively', () => {
    expect(ids({ search: 'BBB' })).toEqual(['bbb-2']);
    expect(ids({ search: '(1, 2' })).toEqual(['aaa-1']);
    expect(ids({ search: '   ' })).toHaveLength(4);
  });

  it('pages, and counts every match', () => {
    const page = queryTasks(store.values(), byReceived, 1, 2);
    expect(page.rows.map((t) => t.uuid)).toEqual(['aaa-1', 'ccc-3']);
    expect(page.total).toBe(4);
  });
});

describe(TaskStore.name, () => {
  it('reports which tasks a batch changed, skipping updates without an id', () => {
    const sut = new TaskStore();
    const changed = sut.apply([
      { uuid: 'a', state: 'RECEIVED' },
      { uuid: '' },
      { uuid: 'b', state: 'STARTED' },
    ]);
    expect([...changed]).toEqual(['a', 'b']);
    expect(sut.size).toBe(2);
  });

  it('counts by state and lists names and workers for the filters', () => {
    const sut = new TaskStore();
    sut.apply([
      { uuid: 'a', state: 'SUCCESS', name: 'x', worker: 'w2' },
      { uuid: 'b', state: 'SUCCESS', name: 'y', worker: 'w1' },
      { uuid: 'c', state: 'FAILURE', name: 'x' },
    ]);
    expect(Object.fromEntries(sut.countByState())).toEqual({
      SUCCESS: 2,
      FAILURE: 1,
    });
    expect(sut.distinct('name')).toEqual(['x', 'y']);
    expect(sut.distinct('worker')).toEqual(['w1', 'w2']);
  });

  it('forgets the first tasks it saw beyond its capacity', () => {
    const sut = new TaskStore(2);
    sut.apply([{ uuid: 'a' }, { uuid: 'b' }, { uuid: 'c' }]);
    expect(sut.get('a')).toBeUndefined();
    expect(sut.size).toBe(2);
  });

  it('sorts and pages 10 000 tasks', () => {
    const sut = new TaskStore();
    sut.apply(
      Array.from({ length: 10_000 }, (_, i) => ({
        uuid: `t-${i}`,
        received: i,
        state: i % 2 ? 'SUCCESS' : 'FAILURE',
      })),
    );
    const page = sut.query({ ...byReceived, state: 'SUCCESS' }, 0, 50);
    expect(page.total).toBe(5_000);
    expect(page.rows[0].uuid).toBe('t-9999');
    expect(page.rows).toHaveLength(50);
  });
});
