import { parseRoute, taskHref, tasksHref } from './router';

describe('parseRoute', () => {
  it('reads the overview from an empty hash or #/', () => {
    expect(parseRoute('')).toEqual({ view: 'overview' });
    expect(parseRoute('#/')).toEqual({ view: 'overview' });
  });

  it('reads the tasks list with its filters', () => {
    const route = parseRoute('#/tasks?state=FAILURE&worker=w%401');
    expect(route.view).toBe('tasks');
    if (route.view === 'tasks') {
      expect(route.params.get('state')).toBe('FAILURE');
      expect(route.params.get('worker')).toBe('w@1');
    }
  });

  it('reads a task detail, decoding its id', () => {
    expect(parseRoute(taskHref('a b/c'))).toEqual({
      view: 'task',
      id: 'a b/c',
    });
  });

  it('reads workers and queues, and names anything else not found', () => {
    expect(parseRoute('#/workers')).toEqual({ view: 'workers' });
    expect(parseRoute('#/queues/')).toEqual({ view: 'queues' });
    expect(parseRoute('#/nope/1')).toEqual({
      view: 'not-found',
      path: '/nope/1',
    });
  });
});

describe('tasksHref', () => {
  it('leaves empty filters out', () => {
    expect(tasksHref({ state: 'SUCCESS', name: '', worker: undefined })).toBe(
      '#/tasks?state=SUCCESS',
    );
    expect(tasksHref({})).toBe('#/tasks');
  });
});
