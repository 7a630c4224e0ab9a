import { HttpStatus, Injectable, PipeTransform } from '@nestjs/common';
import {
  ProblemCode,
  ProblemException,
} from '../problem/problem-details.filter';

/** Longest a request may wait: under common proxy idle timeouts. */
export const MAX_WAIT_SECONDS = 60;

/** `?wait=` seconds: absent means 0; 0 to 60, else a 400 problem. */
@Injectable()
export class WaitSecondsPipe implements PipeTransform<unknown, number> {
  transform(value: unknown): number {
    if (value === undefined || value === '') {
      return 0;
    }
    const seconds = Number(value);
    // The global ValidationPipe may already have made it a number.
    if (
      (typeof value !== 'string' && typeof value !== 'number') ||
      !Number.isFinite(seconds) ||
      seconds < 0 ||
      seconds > MAX_WAIT_SECONDS
    ) {
      throw new ProblemException(
        HttpStatus.BAD_REQUEST,
        ProblemCode.ValidationFailed,
        `wait is a number of seconds from 0 to ${MAX_WAIT_SECONDS}.`,
        [{ field: 'wait', message: `must be 0 to ${MAX_WAIT_SECONDS}` }],
      );
    }
    return seconds;
  }
}
