import type {
  ArgumentMetadata,
  PipeTransform,
  ValidationPipe,
} from '@nestjs/common';
import { OperandsQuery } from '../solo/dto/operands.query';
import { isPlainlyValidTask } from '../v1/batch-item-fast-path';
import { dtoInstanceOf } from '../v1/dto-instance';
import { SubmitTaskDto } from '../v1/dto/submit-task.dto';

/**
 * A hot route's input checked by hand: the instance the ValidationPipe
 * would return when the input is certainly valid, else undefined ("not
 * sure", never "invalid"): the ValidationPipe then decides and words the
 * errors, so the problem bodies stay class-validator's.
 */
type FastCheck = (value: unknown) => object | undefined;

// `?a=&b=` as OperandsQuery: decimal integers within ±2^53 - 1 (what
// `@Type(() => Number) @IsInt() @Min @Max` accepts, minus the odd spellings
// such as `1e3` or ` 7`, left to class-validator), no other parameter.
const SAFE_DECIMAL = /^-?(?:0|[1-9]\d{0,15})$/;

function operandsOf(value: unknown): object | undefined {
  if (typeof value !== 'object' || value === null) {
    return undefined;
  }
  const query = new OperandsQuery();
  for (const [key, text] of Object.entries(value)) {
    if ((key !== 'a' && key !== 'b') || !isSafeDecimal(text)) {
      return undefined;
    }
    query[key] = Number(text);
  }
  return query;
}

function isSafeDecimal(text: unknown): text is string {
  return (
    typeof text === 'string' &&
    SAFE_DECIMAL.test(text) &&
    Number.isSafeInteger(Number(text))
  );
}

// A POST /v1/tasks body with batch items' fast check (compared with
// class-validator in batch-item-fast-path.spec.ts).
function submitTaskOf(value: unknown): object | undefined {
  if (
    typeof value !== 'object' ||
    value === null ||
    Array.isArray(value) ||
    !isPlainlyValidTask(value)
  ) {
    return undefined;
  }
  return dtoInstanceOf(SubmitTaskDto, value);
}

const FAST_CHECKS = new Map<unknown, FastCheck>([
  [OperandsQuery, operandsOf],
  [SubmitTaskDto, submitTaskOf],
]);

/**
 * The api's global pipe: the hot routes' DTOs (`GET /solo/*`'s operands,
 * `POST /v1/tasks`'s body) skip class-transformer and class-validator when
 * a hand check finds them valid (a few microseconds instead of tens per
 * request); everything else, and anything doubtful, goes to `validation`.
 */
export class FastValidationPipe implements PipeTransform {
  constructor(private readonly validation: ValidationPipe) {}

  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    // A custom decorator's value is not validated (validateCustomDecorators).
    const check =
      metadata.type === 'custom'
        ? undefined
        : FAST_CHECKS.get(metadata.metatype);
    return check?.(value) ?? this.validation.transform(value, metadata);
  }
}
