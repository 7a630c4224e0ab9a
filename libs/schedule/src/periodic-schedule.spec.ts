import { InvalidScheduleError } from './errors/invalid-schedule.error';
import {
  assertValidSchedule,
  type PeriodicSchedule,
} from './periodic-schedule';

const base: PeriodicSchedule = {
  name: 'nightly',
  task: 'add_task',
  args: [1, 2],
  kwargs: {},
};

describe(assertValidSchedule.name, () => {
  it.each([
    ['every 1 s', { every: 1 }],
    ['a 5-field cron', { cron: '*/5 * * * *' }],
    [
      'a 6-field cron in a timezone',
      { cron: '0 0 9 * * 1-5', timezone: 'Europe/Paris' },
    ],
  ])('accepts %s', (_label, when) => {
    expect(() => assertValidSchedule({ ...base, ...when })).not.toThrow();
  });

  it.each([
    ['neither every nor cron', {}, 'every'],
    ['both every and cron', { every: 1, cron: '* * * * *' }, 'cron'],
    ['a cron with a value out of range', { cron: '61 * * * *' }, 'cron'],
    ['a cron of words', { cron: 'every day' }, 'cron'],
    ['a cron with 3 fields', { cron: '* * *' }, 'cron'],
    [
      'an unknown timezone',
      { cron: '* * * * *', timezone: 'Mars/Olympus' },
      'timezone',
    ],
    ['a timezone without a cron', { every: 5, timezone: 'UTC' }, 'timezone'],
    ['every 0', { every: 0 }, 'every'],
    ['a name with a colon', { name: 'a:b', every: 1 }, 'name'],
    ['a task name with a space', { task: 'add task', every: 1 }, 'task'],
  ])('refuses %s, naming the field', (_label, change, field) => {
    let thrown: unknown;
    try {
      assertValidSchedule({ ...base, ...change });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(InvalidScheduleError);
    expect((thrown as InvalidScheduleError).field).toBe(field);
  });
});
