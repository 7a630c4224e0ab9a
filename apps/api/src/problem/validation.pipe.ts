import { HttpStatus, ValidationError, ValidationPipe } from '@nestjs/common';
import { ProblemCode, ProblemException } from './problem-details.filter';

/** What class-validator checks in every body (the batch route's items too). */
export const VALIDATION_OPTIONS = {
  whitelist: true,
  forbidNonWhitelisted: true,
  stopAtFirstError: true,
} as const;

/** The api's ValidationPipe: per-field errors in a 400 problem body. */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    ...VALIDATION_OPTIONS,
    transform: true,
    exceptionFactory: validationProblem,
  });
}

/** The 400 of a body with invalid fields. */
export function validationProblem(errors: ValidationError[]): ProblemException {
  return new ProblemException(
    HttpStatus.BAD_REQUEST,
    ProblemCode.ValidationFailed,
    'The request has invalid fields.',
    errors.flatMap((error) => flatten(error)),
  );
}

/** A class-validator error and its children as `{field, message}` entries. */
export function flatten(
  error: ValidationError,
  prefix = '',
): { field: string; message: string }[] {
  const field = prefix ? `${prefix}.${error.property}` : error.property;
  const own = Object.values(error.constraints ?? {}).map((message) => ({
    field,
    message,
  }));
  return [...own, ...(error.children ?? []).flatMap((c) => flatten(c, field))];
}
