import { jest } from '@jest/globals';
import type { ArgumentMetadata } from '@nestjs/common';
import { OperandsQuery } from '../solo/dto/operands.query';
import { SubmitTaskDto } from '../v1/dto/submit-task.dto';
import { FastValidationPipe } from './fast-validation.pipe';
import { ProblemException } from './problem-details.filter';
import { createValidationPipe } from './validation.pipe';

const QUERY: ArgumentMetadata = { type: 'query', metatype: OperandsQuery };
const BODY: ArgumentMetadata = { type: 'body', metatype: SubmitTaskDto };

// What the api's pipe answers: the value, or the problem it throws.
async function outcome(
  pipe: { transform(value: unknown, metadata: ArgumentMetadata): unknown },
  value: unknown,
  metadata: ArgumentMetadata,
): Promise<unknown> {
  try {
    const result = await pipe.transform(value, metadata);
    return { type: (result as object).constructor.name, fields: { ...result } };
  } catch (error) {
    if (error instanceof ProblemException) {
      return { status: error.getStatus(), errors: error.errors };
    }
    throw error;
  }
}

const QUERIES: Record<string, unknown>[] = [
  {},
  { a: '3' },
  { a: '3', b: '4' },
  { a: '-12', b: '0' },
  { a: '9007199254740991', b: '-9007199254740991' },
  { a: '9007199254740992' },
  { a: '99999999999999999' },
  { a: '007' },
  { a: '1e3' },
  { a: ' 7' },
  { a: '' },
  { a: '1.5' },
  { a: 'x' },
  { a: '-0' },
  { a: ['1', '2'] },
  { a: '1', c: '2' },
];

const BODIES: unknown[] = [
  { task: 'add_task', args: [1, 2] },
  { task: 'add_task', args: [1, 2], kwargs: { x: 1 }, queue: 'default-sum' },
  { task: 'add_task', countdown: 10, priority: 3 },
  { task: 'add_task', priority: 1.5 },
  { task: 'add_task', countdown: -1 },
  { task: 'add task' },
  { task: 'add_task', bogus: 1 },
  { task: 'add_task', eta: '2026-12-01T12:00:00Z' },
  { task: 'add_task', concurrency: { key: 'k', limit: 2 } },
  { args: [1] },
  [],
  'add_task',
  null,
];

describe('FastValidationPipe', () => {
  const validation = createValidationPipe();
  const pipe = new FastValidationPipe(validation);

  it.each(QUERIES)('answers ?%j as the ValidationPipe does', async (query) => {
    await expect(outcome(pipe, query, QUERY)).resolves.toEqual(
      await outcome(validation, query, QUERY),
    );
  });

  it.each(BODIES)(
    'answers the body %j as the ValidationPipe does',
    async (body) => {
      await expect(outcome(pipe, body, BODY)).resolves.toEqual(
        await outcome(validation, body, BODY),
      );
    },
  );

  it('answers a plain query itself, with numbers, without the ValidationPipe', () => {
    const spy = jest.spyOn(validation, 'transform');
    const result = pipe.transform({ a: '3', b: '-4' }, QUERY);
    expect(result).toBeInstanceOf(OperandsQuery);
    expect(result).toMatchObject({ a: 3, b: -4 });
    expect(spy).not.toHaveBeenCalled();
  });

  it('answers a plain task body itself, keeping its fields', () => {
    const spy = jest.spyOn(validation, 'transform');
    const body = { task: 'add_task', args: [1, 2], kwargs: { x: 1 } };
    const result = pipe.transform(body, BODY);
    expect(result).toBeInstanceOf(SubmitTaskDto);
    expect({ ...(result as object) }).toEqual(body);
    expect(spy).not.toHaveBeenCalled();
  });

  it("leaves a custom decorator's value to the ValidationPipe", async () => {
    const spy = jest.spyOn(validation, 'transform');
    const value = { a: '3' };
    await pipe.transform(value, { type: 'custom', metatype: OperandsQuery });
    expect(spy).toHaveBeenCalledWith(value, {
      type: 'custom',
      metatype: OperandsQuery,
    });
  });
});
