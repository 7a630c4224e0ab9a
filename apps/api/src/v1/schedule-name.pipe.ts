import { HttpStatus, Injectable, PipeTransform } from '@nestjs/common';
import { SCHEDULE_NAME_PATTERN } from '@celeriac/schedule';
import {
  ProblemCode,
  ProblemException,
} from '../problem/problem-details.filter';

/** Rejects names no schedule could have, with a 400 problem. */
@Injectable()
export class ScheduleNamePipe implements PipeTransform<string, string> {
  transform(value: string): string {
    if (!SCHEDULE_NAME_PATTERN.test(value)) {
      throw new ProblemException(
        HttpStatus.BAD_REQUEST,
        ProblemCode.ValidationFailed,
        'A schedule name is 1 to 200 letters, digits or _ . @ - (no colon).',
      );
    }
    return value;
  }
}
