import { applyDecorators, HttpStatus } from '@nestjs/common';
import { ApiBearerAuth, type DocumentBuilder } from '@nestjs/swagger';
import { ApiProblemResponse } from '../problem/api-problem-response';
import { ProblemCode } from '../problem/problem-details.filter';
import { securityMessages } from './security.messages';

/** The name of the bearer scheme in the OpenAPI document. */
export const API_KEY_SCHEME = 'api-key';

/** Declares the API key bearer scheme on the Swagger document. */
export function addBearerAuth(builder: DocumentBuilder): DocumentBuilder {
  return builder.addBearerAuth(
    {
      type: 'http',
      scheme: 'bearer',
      description: 'One of API_KEYS, as Authorization: Bearer <key>.',
    },
    API_KEY_SCHEME,
  );
}

/** For /v1 controllers: the bearer scheme and its 401, 403 and 429 problems. */
export function ApiKeyAuth(): ClassDecorator & MethodDecorator {
  return applyDecorators(
    ApiBearerAuth(API_KEY_SCHEME),
    ApiProblemResponse(
      HttpStatus.UNAUTHORIZED,
      'No API key, or not as Authorization: Bearer <key>',
      {
        code: ProblemCode.Unauthorized,
        detail: securityMessages.missingKey(),
        instance: '/v1/tasks',
      },
    ),
    ApiProblemResponse(HttpStatus.FORBIDDEN, 'Unknown API key', {
      code: ProblemCode.Forbidden,
      detail: securityMessages.unknownKey(),
      instance: '/v1/tasks',
    }),
    ApiRateLimitedResponse(),
  );
}

/** The 429 problem of every rate-limited route (all but /health). */
export function ApiRateLimitedResponse(): ClassDecorator & MethodDecorator {
  return ApiProblemResponse(
    HttpStatus.TOO_MANY_REQUESTS,
    'Over API_RATE_LIMIT; see Retry-After',
    {
      code: ProblemCode.RateLimited,
      detail: securityMessages.rateLimited(600, 60, 42),
      instance: '/v1/tasks',
    },
  );
}
