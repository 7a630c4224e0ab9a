import { HttpStatus, Injectable, PipeTransform } from '@nestjs/common';
import {
  ProblemCode,
  ProblemException,
} from '../problem/problem-details.filter';

/** Longer than any id Celery or celeriac issues; keeps hostile keys out of Redis. */
const MAX_ID_LENGTH = 255;
// Printable ASCII only: ids are uuids, and custom ids are plain text.
const ID_PATTERN = /^[\x21-\x7e]+$/;

/** Rejects ids that no task could have, with a 400 problem. */
@Injectable()
export class TaskIdPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    if (value.length > MAX_ID_LENGTH || !ID_PATTERN.test(value)) {
      throw new ProblemException(
        HttpStatus.BAD_REQUEST,
        ProblemCode.ValidationFailed,
        `An id is 1 to ${MAX_ID_LENGTH} printable ASCII characters.`,
      );
    }
    return value;
  }
}
