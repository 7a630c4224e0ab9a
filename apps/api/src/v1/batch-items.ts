import { HttpStatus, type PipeTransform } from '@nestjs/common';
import { validateSync } from 'class-validator';
import {
  ProblemCode,
  ProblemException,
} from '../problem/problem-details.filter';
import {
  flatten,
  VALIDATION_OPTIONS,
  validationProblem,
} from '../problem/validation.pipe';
import { isPlainlyValidTask } from './batch-item-fast-path';
import { dtoInstanceOf } from './dto-instance';
import { type BatchItemErrorDto, SubmitBatchDto } from './dto/submit-batch.dto';
import { SubmitTaskDto } from './dto/submit-task.dto';

/** One task of a batch once checked: the body to send, or why not. */
export type CheckedItem =
  | { index: number; task: SubmitTaskDto }
  | { index: number; error: BatchItemErrorDto };

/**
 * Validates one batch item as `POST /v1/tasks` validates its body (the
 * same DTO, the same class-validator options), so the item gets the field
 * errors that route would answer.
 */
export function validateBatchItem(raw: unknown, index: number): CheckedItem {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return {
      index,
      error: {
        status: HttpStatus.BAD_REQUEST,
        code: ProblemCode.ValidationFailed,
        detail: 'A task is a JSON object, a POST /v1/tasks body.',
      },
    };
  }
  const task = dtoInstanceOf(SubmitTaskDto, raw);
  if (isPlainlyValidTask(raw)) {
    return { index, task };
  }
  const errors = validateSync(task, VALIDATION_OPTIONS);
  if (errors.length > 0) {
    return {
      index,
      error: {
        status: HttpStatus.BAD_REQUEST,
        code: ProblemCode.ValidationFailed,
        detail: 'The task has invalid fields.',
        errors: errors.flatMap((error) => flatten(error)),
      },
    };
  }
  return { index, task };
}

/** A ProblemException a check threw, as a batch item's error entry. */
export function itemErrorOf(problem: ProblemException): BatchItemErrorDto {
  return {
    status: problem.getStatus(),
    code: problem.code,
    detail: problem.message,
    ...(problem.errors ? { errors: problem.errors } : {}),
  };
}

/**
 * The 422 of an atomic batch with refused items: every item's errors,
 * named `tasks[<index>].<field>`.
 */
export function batchRejected(
  refused: readonly { index: number; error: BatchItemErrorDto }[],
  total: number,
): ProblemException {
  return new ProblemException(
    HttpStatus.UNPROCESSABLE_ENTITY,
    ProblemCode.BatchRejected,
    `${refused.length} of ${total} tasks refused; with atomic: true nothing was sent.`,
    refused.flatMap(({ index, error }) =>
      error.errors
        ? error.errors.map(({ field, message }) => ({
            field: `tasks[${index}].${field}`,
            message,
          }))
        : [{ field: `tasks[${index}]`, message: error.detail }],
    ),
  );
}

/**
 * Checks the batch's envelope (tasks a non-empty list, atomic a boolean, no
 * other field) as the global ValidationPipe would, but leaves the items as
 * parsed: each is validated on its own by {@link validateBatchItem}. The
 * route's parameter type is an interface, so the global pipe passes it by.
 */
export class ParseBatchBodyPipe implements PipeTransform<
  unknown,
  SubmitBatchDto
> {
  transform(body: unknown): SubmitBatchDto {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw new ProblemException(
        HttpStatus.BAD_REQUEST,
        ProblemCode.ValidationFailed,
        'The body is a JSON object: {"tasks": [...], "atomic": false}.',
      );
    }
    const batch = dtoInstanceOf(SubmitBatchDto, body);
    const errors = validateSync(batch, VALIDATION_OPTIONS);
    if (errors.length > 0) {
      throw validationProblem(errors);
    }
    return batch;
  }
}
