import {
  CanActivate,
  ExecutionContext,
  HttpStatus,
  Injectable,
} from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { BearerKeys, CeleriacConfig } from '@celeriac/config';
import {
  ProblemCode,
  ProblemException,
} from '../problem/problem-details.filter';
import { recordSendScope } from '../v1/send-policy';

import { bearerChallenge, parseBearer } from './bearer-token';
import { requiresApiKey, routePathOf } from './route-access';
import { securityMessages } from './security.messages';

/**
 * With API_KEYS set, a protected route needs `Authorization: Bearer <key>`:
 * 401 when it is missing or malformed, 403 when the key is unknown.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly keys: BearerKeys,
    private readonly config: CeleriacConfig,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    if (!this.keys.enabled || context.getType() !== 'http') {
      return true;
    }
    const http = context.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const { protectSeed } = this.config.api;
    if (!requiresApiKey(routePathOf(request), { protectSeed })) {
      return true;
    }
    const credentials = parseBearer(request.headers.authorization);
    if (credentials.kind !== 'token') {
      http
        .getResponse<FastifyReply>()
        .header('WWW-Authenticate', bearerChallenge(credentials.kind));
      throw new ProblemException(
        HttpStatus.UNAUTHORIZED,
        ProblemCode.Unauthorized,
        credentials.kind === 'missing'
          ? securityMessages.missingKey()
          : securityMessages.malformedKey(),
      );
    }
    if (this.keys.match(credentials.token) === undefined) {
      throw new ProblemException(
        HttpStatus.FORBIDDEN,
        ProblemCode.Forbidden,
        securityMessages.unknownKey(),
      );
    }
    recordSendScope(request, {
      unchecked: this.config.api.uncheckedKeys.has(credentials.token),
    });
    return true;
  }
}
