import { applyDecorators } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiForbiddenResponse,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
  type DocumentBuilder,
} from '@nestjs/swagger';
import { ProblemDto } from '../problem/problem.dto';

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
    ApiUnauthorizedResponse({
      type: ProblemDto,
      description: 'No API key, or not as Authorization: Bearer <key>',
    }),
    ApiForbiddenResponse({ type: ProblemDto, description: 'Unknown API key' }),
    ApiTooManyRequestsResponse({
      type: ProblemDto,
      description: 'Over API_RATE_LIMIT; see Retry-After',
    }),
  );
}
