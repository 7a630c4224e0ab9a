import { TaskStore } from './task-store';
import { taskTimeline } from './timeline';

function task(times: Record<string, number>) {
  const store = new TaskStore();
  store.apply([{ uuid: 't', ...times }]);
  return store.get('t')!;
}

describe('taskTimeline', () => {
  it('orders the known events in time, with the gap since the previous', () => {
    expect(
      taskTimeline(task({ succeeded: 105, received: 100, started: 101.5 })),
    ).toEqual([
      { event: 'received', at: 100, sincePrevious: null },
      { event: 'started', at: 101.5, sincePrevious: 1.5 },
      { event: 'succeeded', at: 105, sincePrevious: 3.5 },
    ]);
  });

  it('keeps life order on equal times, and shows failures and retries', () => {
    expect(
      taskTimeline(
        task({ failed: 9, retried: 5, started: 5, received: 5 }),
      ).map((step) => step.event),
    ).toEqual(['received', 'started', 'retried', 'failed']);
  });

  it('is empty for a task with no times yet', () => {
    expect(taskTimeline(task({}))).toEqual([]);
  });
});
