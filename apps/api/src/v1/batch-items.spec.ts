import { HttpStatus } from '@nestjs/common';
import { ProblemException } from '../problem/problem-details.filter';
import {
  batchRejected,
  ParseBatchBodyPipe,
  validateBatchItem,
} from './batch-items';
import { SubmitTaskDto } from './dto/submit-task.dto';

describe(validateBatchItem.name, () => {
  it('keeps a valid POST /v1/tasks body as a SubmitTaskDto', () => {
    const item = validateBatchItem(
      { task: 'add_task', args: [1, 2], countdown: 5, queue: 'q' },
      3,
    );
    expect(item).toEqual({ index: 3, task: expect.any(SubmitTaskDto) });
    expect('task' in item && item.task).toMatchObject({
      task: 'add_task',
      args: [1, 2],
      countdown: 5,
      queue: 'q',
    });
  });

  it.each([
    [{ task: 'add_task', countdown: -1 }, 'countdown'],
    [{ task: 'add_task', priority: 256 }, 'priority'],
    [{ task: 'add_task', colour: 'red' }, 'colour'],
    [{ task: 'a task' }, 'task'],
    [{ args: [1] }, 'task'],
  ])('gives %j the field error POST /v1/tasks gives', (raw, field) => {
    expect(validateBatchItem(raw, 0)).toEqual({
      index: 0,
      error: {
        status: 400,
        code: 'VALIDATION_FAILED',
        detail: 'The task has invalid fields.',
        errors: [expect.objectContaining({ field })],
      },
    });
  });

  it.each([[5], [null], [[{ task: 'add_task' }]], ['add_task']])(
    'refuses %j: a task is an object',
    (raw) => {
      expect(validateBatchItem(raw, 1)).toEqual({
        index: 1,
        error: expect.objectContaining({
          status: 400,
          code: 'VALIDATION_FAILED',
        }),
      });
    },
  );
});

describe(ParseBatchBodyPipe.name, () => {
  const pipe = new ParseBatchBodyPipe();

  it('passes the items through as parsed', () => {
    const tasks = [{ task: 'add_task', colour: 'red' }, 5];
    expect(pipe.transform({ tasks, atomic: true })).toMatchObject({
      tasks,
      atomic: true,
    });
  });

  it.each([
    [{ tasks: [] }],
    [{ tasks: null }],
    [{ tasks: {} }],
    [{}],
    [{ tasks: [{}], atomic: 'yes' }],
    [{ tasks: [{}], queue: 'q' }],
    [[{ task: 'add_task' }]],
    ['tasks'],
  ])('refuses %j with a 400', (body) => {
    expect(() => pipe.transform(body)).toThrow(ProblemException);
    try {
      pipe.transform(body);
    } catch (error) {
      expect((error as ProblemException).getStatus()).toBe(
        HttpStatus.BAD_REQUEST,
      );
    }
  });
});

describe(batchRejected.name, () => {
  it("names every refused item's fields tasks[<index>].<field>", () => {
    const problem = batchRejected(
      [
        {
          index: 1,
          error: {
            status: 400,
            code: 'VALIDATION_FAILED',
            detail: 'The task has invalid fields.',
            errors: [{ field: 'countdown', message: 'too small' }],
          },
        },
        {
          index: 4,
          error: {
            status: 422,
            code: 'TASK_NOT_REGISTERED',
            detail: 'Unregistered task: x',
          },
        },
      ],
      5,
    );
    expect(problem.getStatus()).toBe(422);
    expect(problem.message).toBe(
      '2 of 5 tasks refused; with atomic: true nothing was sent.',
    );
    expect(problem.errors).toEqual([
      { field: 'tasks[1].countdown', message: 'too small' },
      { field: 'tasks[4]', message: 'Unregistered task: x' },
    ]);
  });
});
