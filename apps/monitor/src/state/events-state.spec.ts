import type { CeleryEvent } from '@celeriac/broker';
import type { CeleriacConfig } from '@celeriac/config';
import { EventsState } from './events-state';
import { emptyTask } from '../contract/flower-task';

const config = { monitor: { maxTasks: 2 } } as CeleriacConfig;

const taskEvent = (uuid: string, type = 'task-received'): CeleryEvent => ({
  type,
  uuid,
  hostname: 'w@h',
  timestamp: 1,
  local_received: 1,
});

describe(EventsState.name, () => {
  it('keeps at most MONITOR_MAX_TASKS, evicting the least recently updated', () => {
    const sut = new EventsState(config);
    sut.event(taskEvent('a'));
    sut.event(taskEvent('b'));
    sut.event(taskEvent('a', 'task-started'));
    sut.event(taskEvent('c'));

    expect(sut.allTasks().map((task) => task.uuid)).toEqual(['a', 'c']);
  });

  it('counts events per worker and type, as Flower does', () => {
    const sut = new EventsState(config);
    sut.event(taskEvent('a'));
    sut.event(taskEvent('b'));

    expect(sut.counter.get('w@h')?.get('task-received')).toBe(2);
  });

  it('restores history without overwriting what the events said', () => {
    const sut = new EventsState(config);
    sut.event(taskEvent('a', 'task-started'));
    sut.restore([{ ...emptyTask('a'), state: 'SUCCESS' }]);

    expect(sut.task('a')?.state).toBe('STARTED');
  });

  it('tells listeners about tasks and progress', () => {
    const sut = new EventsState(config);
    const seen: string[] = [];
    sut.onTask((task) =>
      seen.push(`${task.uuid}:${JSON.stringify(task.progress)}`),
    );
    sut.event(taskEvent('a'));
    sut.progress('a', { current: 1, total: 4 });

    expect(seen).toEqual(['a:null', 'a:{"current":1,"total":4}']);
  });

  it('names a task from its progress document until its events arrive, without overriding them', () => {
    const sut = new EventsState(config);

    sut.progress(
      'early',
      { current: 1, total: 2 },
      { name: 'add_task', worker: 'w1@host' },
    );
    expect(sut.task('early')).toMatchObject({
      name: 'add_task',
      worker: 'w1@host',
      progress: { current: 1, total: 2 },
    });

    sut.event({ ...taskEvent('known'), name: 'real_name' });
    sut.progress(
      'known',
      { current: 1, total: 2 },
      { name: 'other_name', worker: 'other@host' },
    );
    expect(sut.task('known')).toMatchObject({
      name: 'real_name',
      worker: 'w@h',
    });
  });
});
