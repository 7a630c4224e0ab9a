import type { TaskMeta } from '@celeriac/results';
import { presentGroup, presentTask, statusCodeOf } from './result.presenter';

const meta = (
  status: string,
  result: unknown,
  traceback: string | null = null,
): TaskMeta => ({
  status,
  result,
  traceback,
  children: [],
  date_done: null,
  task_id: 't',
});

describe(presentTask.name, () => {
  it.each([
    ['SUCCESS', 200],
    ['FAILURE', 200],
    ['REVOKED', 200],
    ['PENDING', 202],
    ['RECEIVED', 202],
    ['STARTED', 202],
    ['PROGRESS', 202],
    ['RETRY', 202],
  ])('answers %s with %i', (state, code) => {
    expect(statusCodeOf(state)).toBe(code);
  });

  it('shows the value of a SUCCESS', () => {
    expect(presentTask('t', meta('SUCCESS', [21, 28]))).toEqual({
      task_id: 't',
      status: 'SUCCESS',
      result: [21, 28],
    });
  });

  it("shows a FAILURE's exception type, message and traceback", () => {
    const failure = meta(
      'FAILURE',
      {
        exc_type: 'ZeroDivisionError',
        exc_message: ['division by zero'],
        exc_module: 'builtins',
      },
      'Traceback ...',
    );
    expect(presentTask('t', failure)).toEqual({
      task_id: 't',
      status: 'FAILURE',
      result: null,
      error: { type: 'ZeroDivisionError', message: 'division by zero' },
      traceback: 'Traceback ...',
    });
  });

  it("shows a PROGRESS task's meta as progress", () => {
    expect(
      presentTask('t', meta('PROGRESS', { current: 5, total: 20 })),
    ).toEqual({
      task_id: 't',
      status: 'PROGRESS',
      result: null,
      progress: { current: 5, total: 20 },
    });
  });

  it('shows a REVOKED task why', () => {
    const revoked = meta('REVOKED', {
      exc_type: 'TaskRevokedError',
      exc_message: ['revoked'],
      exc_module: 'celery.exceptions',
    });
    expect(presentTask('t', revoked).error).toEqual({
      type: 'TaskRevokedError',
      message: 'revoked',
    });
  });
});

describe(presentGroup.name, () => {
  it('is ready only when every member is, and counts successes', () => {
    const body = presentGroup(
      'g',
      ['a', 'b', 'c'],
      [
        meta('SUCCESS', 96),
        meta('FAILURE', { exc_type: 'E', exc_message: ['x'], exc_module: 'm' }),
        null,
      ],
    );
    expect(body).toEqual({
      group_id: 'g',
      ready: false,
      successful: false,
      completed: 1,
      total: 3,
      results: [
        { task_id: 'a', status: 'SUCCESS', result: 96 },
        { task_id: 'b', status: 'FAILURE', result: null },
        { task_id: 'c', status: 'PENDING', result: null },
      ],
    });
  });

  it('is ready and successful when every member succeeded', () => {
    const body = presentGroup(
      'g',
      ['a', 'b'],
      [meta('SUCCESS', 96), meta('SUCCESS', 1520)],
    );
    expect(body).toMatchObject({
      ready: true,
      successful: true,
      completed: 2,
      total: 2,
    });
  });
});
