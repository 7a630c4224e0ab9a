import {
  EXCEPTION_STATES,
  isReadyState,
  READY_STATES,
  TaskState,
} from './task-state';

describe('TaskState', () => {
  it.each([
    [TaskState.Success, true],
    [TaskState.Failure, true],
    [TaskState.Revoked, true],
    [TaskState.Pending, false],
    [TaskState.Received, false],
    [TaskState.Started, false],
    [TaskState.Progress, false],
    [TaskState.Retry, false],
    ['success', false],
  ])('isReadyState(%s) is %s', (state, ready) => {
    expect(isReadyState(state)).toBe(ready);
  });

  it('lists Celery ready and exception states', () => {
    expect([...READY_STATES].sort()).toEqual(['FAILURE', 'REVOKED', 'SUCCESS']);
    expect([...EXCEPTION_STATES].sort()).toEqual([
      'FAILURE',
      'RETRY',
      'REVOKED',
    ]);
  });
});
