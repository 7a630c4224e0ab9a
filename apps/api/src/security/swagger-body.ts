import { applyDecorators, HttpStatus } from '@nestjs/common';
import { ApiProblemResponse } from '../problem/api-problem-response';
import { ProblemCode } from '../problem/problem-details.filter';
import { MAX_BODY_DEPTH } from './body-depth';
import { securityMessages } from './security.messages';

/**
 * For routes that take a JSON body: the 400 and 413 problems
 * configureHttpPipeline answers before the route runs. On a
 * method it replaces the class's 400, so give the route's own 400 there too.
 */
export function ApiJsonBodyProblems(instance: string): MethodDecorator {
  return applyDecorators(
    ApiProblemResponse(HttpStatus.BAD_REQUEST, 'The body is not JSON', {
      code: ProblemCode.MalformedJson,
      detail: securityMessages.malformedJson(),
      instance,
    }),
    ApiProblemResponse(
      HttpStatus.BAD_REQUEST,
      `The body nests arrays and objects over ${MAX_BODY_DEPTH} deep`,
      {
        code: ProblemCode.BodyTooDeep,
        detail: securityMessages.bodyTooDeep(MAX_BODY_DEPTH),
        instance,
      },
    ),
    ApiProblemResponse(
      HttpStatus.PAYLOAD_TOO_LARGE,
      'The body is over API_BODY_LIMIT',
      {
        code: ProblemCode.PayloadTooLarge,
        detail: securityMessages.bodyTooLarge('1mb'),
        instance,
      },
    ),
  );
}
