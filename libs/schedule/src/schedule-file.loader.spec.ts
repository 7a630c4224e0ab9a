import { ScheduleFileError } from './errors/schedule-file.error';
import { parseScheduleFile } from './schedule-file.loader';

describe(parseScheduleFile.name, () => {
  it('reads a YAML mapping of name to entry, as Celery beat_schedule is', () => {
    const yaml = [
      'nightly:',
      '  task: add_task',
      '  args: [1, 2]',
      '  cron: "0 3 * * *"',
      '  timezone: Europe/Paris',
      'often:',
      '  task: multi_task',
      '  kwargs: { a: 2, b: 3 }',
      '  queue: default-sum',
      '  every: 10',
    ].join('\n');
    expect(parseScheduleFile(yaml, 'beat.yaml')).toEqual([
      {
        name: 'nightly',
        task: 'add_task',
        args: [1, 2],
        kwargs: {},
        cron: '0 3 * * *',
        timezone: 'Europe/Paris',
      },
      {
        name: 'often',
        task: 'multi_task',
        args: [],
        kwargs: { a: 2, b: 3 },
        queue: 'default-sum',
        every: 10,
      },
    ]);
  });

  it('reads a JSON list of entries with names', () => {
    const json = JSON.stringify([{ name: 'tick', task: 'add_task', every: 1 }]);
    expect(parseScheduleFile(json, 'beat.json')).toEqual([
      { name: 'tick', task: 'add_task', args: [], kwargs: {}, every: 1 },
    ]);
  });

  it('reads an empty file as no schedules', () => {
    expect(parseScheduleFile('', 'beat.yaml')).toEqual([]);
  });

  it.each([
    [
      'an invalid cron',
      'bad:\n  task: add_task\n  cron: "61 * * * *"\n',
      /^BEAT_SCHEDULE_FILE beat\.yaml: entry "bad" \(#1\): cron "61 \* \* \* \*" is invalid/,
    ],
    [
      'an unknown field',
      'x:\n  task: add_task\n  every: 1\n  countdown: 3\n',
      /entry "x" \(#1\): unknown field countdown\.$/,
    ],
    [
      'a missing task',
      '[{ "name": "t", "every": 1 }]',
      /entry "t" \(#1\): task must be a string\.$/,
    ],
    [
      'a repeated name',
      '[{ "name": "t", "task": "a", "every": 1 }, { "name": "t", "task": "a", "every": 2 }]',
      /entry "t" \(#2\) repeats a name used earlier\.$/,
    ],
    ['a scalar document', '42', /must hold a list of schedules or a mapping/],
    ['broken YAML', 'a: [1, 2', /is neither valid JSON nor YAML/],
  ])(
    'refuses %s with one sentence naming the entry',
    (_label, text, message) => {
      expect(() => parseScheduleFile(text, 'beat.yaml')).toThrow(
        ScheduleFileError,
      );
      expect(() => parseScheduleFile(text, 'beat.yaml')).toThrow(message);
    },
  );
});
