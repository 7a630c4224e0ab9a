import { emptyTask } from '../contract/flower-task';
import { applyTaskEvent, presentTask } from './task-record';

const event = (type: string, timestamp: number, fields = {}) => ({
  type,
  timestamp,
  hostname: 'w@h',
  ...fields,
});

describe('applyTaskEvent', () => {
  it("follows a task's life as Celery's state does", () => {
    const task = emptyTask('t');
    applyTaskEvent(
      task,
      event('task-received', 1, {
        name: 'add',
        args: '[1, 2]',
        kwargs: '{}',
        retries: 0,
      }),
    );
    applyTaskEvent(task, event('task-started', 2));
    applyTaskEvent(
      task,
      event('task-succeeded', 3, { result: '3', runtime: 0.5 }),
    );

    expect(task).toMatchObject({
      name: 'add',
      state: 'SUCCESS',
      received: 1,
      started: 2,
      succeeded: 3,
      timestamp: 3,
      args: '[1, 2]',
      result: '3',
      runtime: 0.5,
      worker: 'w@h',
    });
  });

  it('keeps SUCCESS when a late RECEIVED arrives, taking only its merge fields', () => {
    const task = emptyTask('t');
    applyTaskEvent(task, event('task-succeeded', 3, { result: '3' }));
    applyTaskEvent(
      task,
      event('task-received', 1, { name: 'add', result: 'x' }),
    );

    expect(task).toMatchObject({
      state: 'SUCCESS',
      name: 'add',
      result: '3',
      received: 1,
    });
  });

  it('lets RETRY move the state back', () => {
    const task = emptyTask('t');
    applyTaskEvent(task, event('task-started', 1));
    applyTaskEvent(task, event('task-retried', 2, { exception: "Flaky('x')" }));

    expect(task).toMatchObject({
      state: 'RETRY',
      retried: 2,
      exception: "Flaky('x')",
    });
  });

  it('takes a custom state from an unknown task event', () => {
    const task = emptyTask('t');
    applyTaskEvent(task, event('task-received', 1));
    applyTaskEvent(task, event('task-custom', 2));

    expect(task.state).toBe('CUSTOM');
  });
});

describe('presentTask', () => {
  it('shows PROGRESS while a task with progress runs, and its own state after', () => {
    const task = {
      ...emptyTask('t'),
      state: 'STARTED',
      progress: { current: 1, total: 2 },
    };

    expect(presentTask(task).state).toBe('PROGRESS');
    expect(presentTask({ ...task, state: 'SUCCESS' }).state).toBe('SUCCESS');
    expect(presentTask({ ...task, progress: null }).state).toBe('STARTED');
  });
});
