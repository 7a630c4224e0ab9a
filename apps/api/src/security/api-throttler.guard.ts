import { ExecutionContext, HttpStatus, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import {
  InjectThrottlerOptions,
  InjectThrottlerStorage,
  ThrottlerGuard,
  type ThrottlerLimitDetail,
  type ThrottlerModuleOptions,
  ThrottlerStorage,
} from '@nestjs/throttler';
import type { FastifyRequest } from 'fastify';
import { BearerKeys, CeleriacConfig } from '@celeriac/config';
import {
  ProblemCode,
  ProblemException,
} from '../problem/problem-details.filter';

import { parseBearer } from './bearer-token';
import { isUnthrottledPath, routeAccess, routePathOf } from './route-access';
import { securityMessages } from './security.messages';

/**
 * API_RATE_LIMIT requests per API_RATE_LIMIT_WINDOW for each client (off
 * by default), across all routes: per API key when a valid one is sent,
 * else per IP. The seed routes count only with API_RATE_LIMIT_SEED; health
 * probes and metrics never. Over the limit: a 429 problem with Retry-After.
 */
@Injectable()
export class ApiThrottlerGuard extends ThrottlerGuard {
  constructor(
    @InjectThrottlerOptions() options: ThrottlerModuleOptions,
    @InjectThrottlerStorage() storage: ThrottlerStorage,
    reflector: Reflector,
    private readonly keys: BearerKeys,
    private readonly config: CeleriacConfig,
  ) {
    super(options, storage, reflector);
  }

  protected override shouldSkip(context: ExecutionContext): Promise<boolean> {
    const { limit, windowSeconds, seed } = this.config.api.rateLimit;
    if (limit === 0 || windowSeconds === 0 || context.getType() !== 'http') {
      return Promise.resolve(true);
    }
    const path = routePathOf(
      context.switchToHttp().getRequest<FastifyRequest>(),
    );
    return Promise.resolve(
      isUnthrottledPath(path) || (!seed && routeAccess(path) === 'seed'),
    );
  }

  // Only a configured key earns its own budget: otherwise every made-up
  // Bearer value would be a fresh bucket, and the limit no limit at all.
  protected override async getTracker(
    request: FastifyRequest,
  ): Promise<string> {
    const credentials = parseBearer(request.headers.authorization);
    const key =
      credentials.kind === 'token'
        ? this.keys.match(credentials.token)
        : undefined;
    return key === undefined
      ? `ip:${await super.getTracker(request)}`
      : `key:${this.keys.fingerprint(key)}`;
  }

  // One budget per client, not one per route as the default key would give.
  protected override generateKey(
    _context: ExecutionContext,
    tracker: string,
    throttlerName: string,
  ): string {
    return `${throttlerName}:${tracker}`;
  }

  protected override throwThrottlingException(
    _context: ExecutionContext,
    { limit, ttl, timeToBlockExpire }: ThrottlerLimitDetail,
  ): Promise<void> {
    return Promise.reject(
      new ProblemException(
        HttpStatus.TOO_MANY_REQUESTS,
        ProblemCode.RateLimited,
        securityMessages.rateLimited(limit, ttl / 1000, timeToBlockExpire),
      ),
    );
  }
}
