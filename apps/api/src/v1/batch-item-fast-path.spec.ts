import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { VALIDATION_OPTIONS } from '../problem/validation.pipe';
import { isPlainlyValidTask } from './batch-item-fast-path';
import { SubmitTaskDto, YEAR_SECONDS } from './dto/submit-task.dto';

const classValidatorAccepts = (item: object): boolean =>
  validateSync(plainToInstance(SubmitTaskDto, item), VALIDATION_OPTIONS)
    .length === 0;

// Each field at, just inside and just outside its bounds, and wrong types.
const NUMERIC_FIELDS: [string, number, number, boolean][] = [
  ['countdown', 0, YEAR_SECONDS, false],
  ['expires', 0, YEAR_SECONDS, false],
  ['priority', 0, 255, true],
  ['max_retries', 0, 1000, true],
  ['time_limit', 0.001, YEAR_SECONDS, false],
  ['soft_time_limit', 0.001, YEAR_SECONDS, false],
];

function corpus(): object[] {
  const items: object[] = [
    { task: 'add_task' },
    { task: 'add_task', args: [1, 2] },
    { task: 'add_task', args: [], kwargs: {}, queue: 'default-sum' },
    { task: 'app.tasks:add@v1', args: [{ nested: [1] }], kwargs: { a: 1 } },
    { task: 'x'.repeat(255) },
    { task: 'x'.repeat(256) },
    { task: 'add task' },
    { task: '' },
    { task: 'tâche' },
    { task: 5 },
    { task: null },
    { args: [1] },
    {},
    { task: 'add_task', args: null },
    { task: 'add_task', args: 'x' },
    { task: 'add_task', args: { 0: 1 } },
    { task: 'add_task', args: new Array(10_000).fill(0) },
    { task: 'add_task', args: new Array(10_001).fill(0) },
    { task: 'add_task', kwargs: [] },
    { task: 'add_task', kwargs: null },
    { task: 'add_task', kwargs: 'x' },
    { task: 'add_task', queue: 'q'.repeat(256) },
    { task: 'add_task', queue: 'a queue' },
    { task: 'add_task', queue: null },
    { task: 'add_task', eta: '2026-12-01T12:00:00Z' },
    { task: 'add_task', eta: 'tomorrow' },
    { task: 'add_task', colour: 'red' },
    JSON.parse('{"task": "add_task", "__proto__": {"x": 1}}') as object,
  ];
  for (const [field, min, max, integer] of NUMERIC_FIELDS) {
    for (const value of [
      min,
      max,
      min - 0.0005,
      max + 1,
      (min + max) / 2,
      integer ? 1.5 : 0.5,
      '5',
      null,
      true,
      [3],
    ]) {
      items.push({ task: 'add_task', [field]: value });
    }
  }
  return items;
}

describe(isPlainlyValidTask.name, () => {
  it.each(corpus().map((item) => [item]))(
    'accepts %j only if class-validator does',
    (item) => {
      if (isPlainlyValidTask(item)) {
        expect(classValidatorAccepts(item)).toBe(true);
      }
    },
  );

  it.each([
    [{ task: 'add_task' }],
    [{ task: 'add_task', args: [1, 2] }],
    [{ task: 'add_task', args: [1], kwargs: { x: 1 }, queue: 'default-sum' }],
    [{ task: 'add_task', countdown: 10, priority: 3, max_retries: 0 }],
    [{ task: 'add_task', time_limit: 1200, soft_time_limit: 600 }],
  ])('takes the common body %j without class-validator', (item) => {
    expect(isPlainlyValidTask(item)).toBe(true);
    expect(classValidatorAccepts(item)).toBe(true);
  });

  it.each([
    [{ task: 'add_task', eta: '2026-12-01T12:00:00Z' }],
    [{ task: 'add_task', args: null }],
    [{ task: 'add_task', colour: 'red' }],
    [{ args: [1] }],
  ])('leaves %j to class-validator', (item) => {
    expect(isPlainlyValidTask(item)).toBe(false);
  });
});
