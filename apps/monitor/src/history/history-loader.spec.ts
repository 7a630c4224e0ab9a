import { storedGroupOf, taskFromMeta } from './history-loader';

describe('taskFromMeta', () => {
  it('rebuilds a task from an extended SUCCESS meta', () => {
    const task = taskFromMeta(
      'celery-task-meta-t1',
      '{"status": "SUCCESS", "result": 4, "traceback": null, "children": [], "date_done": "2026-08-08T12:00:00.500000+00:00", "name": "add", "args": [2, 2], "kwargs": {}, "worker": "w@h", "retries": 0, "queue": "q", "task_id": "t1"}',
    );

    expect(task).toMatchObject({
      uuid: 't1',
      name: 'add',
      state: 'SUCCESS',
      args: '[2, 2]',
      kwargs: '{}',
      result: '4',
      worker: 'w@h',
      routing_key: 'q',
      succeeded: Date.UTC(2026, 7, 8, 12, 0, 0, 500) / 1000,
    });
  });

  it('shows a FAILURE exception as its repr', () => {
    const task = taskFromMeta(
      'celery-task-meta-t2',
      '{"status": "FAILURE", "result": {"exc_type": "ValueError", "exc_message": ["boom"], "exc_module": "builtins"}, "traceback": "tb", "date_done": null}',
    );

    expect(task).toMatchObject({
      uuid: 't2',
      exception: "ValueError('boom')",
      traceback: 'tb',
      name: null,
    });
  });

  it('keeps PROGRESS meta as progress', () => {
    expect(
      taskFromMeta(
        'celery-task-meta-t3',
        '{"status": "PROGRESS", "result": {"current": 2, "total": 5}}',
      )?.progress,
    ).toEqual({ current: 2, total: 5 });
  });

  it.each(['not json', '[1]', '{"result": 1}'])('skips %s', (json) => {
    expect(taskFromMeta('celery-task-meta-x', json)).toBeNull();
  });
});

describe(storedGroupOf.name, () => {
  it("reads a result's group_id, and nothing from a document without one", () => {
    expect(
      storedGroupOf(
        JSON.stringify({ status: 'SUCCESS', result: 1, group_id: 'g1' }),
      ),
    ).toBe('g1');
    expect(storedGroupOf(JSON.stringify({ status: 'SUCCESS' }))).toBe(
      undefined,
    );
    expect(storedGroupOf('{"group_id": 7}')).toBe(undefined);
    expect(storedGroupOf('{"group_id": ')).toBe(undefined);
  });
});
