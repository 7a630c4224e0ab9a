import { HttpStatus, ValidationError, ValidationPipe } from '@nestjs/common';
import { ProblemCode, ProblemException } from './problem-details.filter';

/** The api's ValidationPipe: per-field errors in a 400 problem body. */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    transform: true,
    whitelist: true,
    forbidNonWhitelisted: true,
    stopAtFirstError: true,
    exceptionFactory: (errors: ValidationError[]) =>
      new ProblemException(
        HttpStatus.BAD_REQUEST,
        ProblemCode.ValidationFailed,
        'The request has invalid fields.',
        errors.flatMap((error) => flatten(error)),
      ),
  });
}

function flatten(
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
