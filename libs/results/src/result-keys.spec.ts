import {
  chordCounterKey,
  chordJoinKey,
  chordSizeKey,
  groupMetaKey,
  normalizeKeyPrefix,
  taskMetaKey,
} from './result-keys';

describe('result keys', () => {
  it.each([
    [undefined, ''],
    ['', ''],
    ['app', 'app_'],
    ['app:', 'app:'],
    ['app_', 'app_'],
    ['app-', 'app-'],
    ['app.', 'app.'],
  ])('normalizeKeyPrefix(%p) is %p', (prefix, expected) => {
    expect(normalizeKeyPrefix(prefix)).toBe(expected);
  });

  it('builds Celery key names', () => {
    expect(taskMetaKey('t1')).toBe('celery-task-meta-t1');
    expect(groupMetaKey('g1')).toBe('celery-taskset-meta-g1');
    expect(chordJoinKey('g1')).toBe('celery-taskset-meta-g1.j');
    expect(chordCounterKey('g1')).toBe('celery-taskset-meta-g1.t');
    expect(chordSizeKey('g1')).toBe('celery-taskset-meta-g1.s');
  });

  it('puts the global prefix in front of every key', () => {
    expect(taskMetaKey('t1', 'app')).toBe('app_celery-task-meta-t1');
    expect(groupMetaKey('g1', 'app:')).toBe('app:celery-taskset-meta-g1');
    expect(chordSizeKey('g1', 'app')).toBe('app_celery-taskset-meta-g1.s');
  });
});
