import {
  type CallHandler,
  type ExecutionContext,
  HttpStatus,
  Injectable,
  type NestInterceptor,
} from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  catchError,
  from,
  mergeMap,
  type Observable,
  of,
  throwError,
} from 'rxjs';
import { RequestLog } from '../logging/request-logging';
import {
  ProblemCode,
  ProblemException,
} from '../problem/problem-details.filter';
import { requestBodyHash } from './canonical-json';
import {
  IDEMPOTENCY_KEY_HEADER,
  IDEMPOTENT_REPLAYED_HEADER,
} from './idempotency.constants';
import { parseIdempotencyKey } from './idempotency-key';
import type { IdempotencyRecord, PendingRecord } from './idempotency-record';
import { callerScope, idempotencyRecordKey } from './idempotency-scope';
import { IdempotencyStore } from './idempotency.store';

/**
 * Runs a POST at most once per `Idempotency-Key`: a repeat within 24 h gets
 * the first answer back (with `Idempotent-Replayed: true`) instead of
 * publishing again. Requests without the header pass through. Apply it with
 * `@Idempotent()`.
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  private readonly log = new RequestLog(IdempotencyInterceptor.name);

  constructor(private readonly store: IdempotencyStore) {}

  async intercept(
    context: ExecutionContext,
    next: CallHandler,
  ): Promise<Observable<unknown>> {
    if (context.getType() !== 'http') {
      return next.handle();
    }
    const http = context.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const key = parseIdempotencyKey(
      request.headers[IDEMPOTENCY_KEY_HEADER.toLowerCase()],
    );
    if (key === undefined) {
      return next.handle();
    }
    const response = http.getResponse<FastifyReply>();
    const recordKey = idempotencyRecordKey(
      {
        caller: callerScope(request.headers.authorization),
        method: request.method,
        path: pathOf(request),
      },
      key,
    );
    const bodyHash = requestBodyHash(request.body);

    const claim = await this.store.claim(recordKey, bodyHash);
    if (!claim.claimed) {
      return of(replay(claim.record, bodyHash, response));
    }
    return next.handle().pipe(
      catchError((error: unknown) =>
        from(this.release(request, recordKey, claim.pending)).pipe(
          mergeMap(() => throwError(() => error)),
        ),
      ),
      mergeMap(async (body: unknown) => {
        await this.complete(request, recordKey, {
          bodyHash,
          status: response.statusCode,
          body,
        });
        return body;
      }),
    );
  }

  // The handler has run and published: losing the record must not turn its
  // success into an error the client would retry. The pending record expires.
  private async complete(
    request: FastifyRequest,
    recordKey: string,
    {
      bodyHash,
      status,
      body,
    }: { bodyHash: string; status: number; body: unknown },
  ): Promise<void> {
    try {
      await this.store.complete(recordKey, {
        state: 'done',
        bodyHash,
        status,
        body,
      });
    } catch (error) {
      this.log.warn(request, {
        msg: 'could not store idempotent answer',
        err: error,
      });
    }
  }

  // The handler's own error is the one the client must see.
  private async release(
    request: FastifyRequest,
    recordKey: string,
    pending: PendingRecord,
  ): Promise<void> {
    try {
      await this.store.release(recordKey, pending);
    } catch (error) {
      this.log.warn(request, {
        msg: 'could not release idempotency key',
        err: error,
      });
    }
  }
}

/** The stored answer, or the problem a repeat of this key is. */
function replay(
  record: IdempotencyRecord,
  bodyHash: string,
  response: FastifyReply,
): unknown {
  // Checked first: a different request is a client error whatever the
  // first one's progress, and retrying it cannot help.
  if (record.bodyHash !== bodyHash) {
    throw new ProblemException(
      HttpStatus.UNPROCESSABLE_ENTITY,
      ProblemCode.IdempotencyKeyReused,
      `${IDEMPOTENCY_KEY_HEADER} reused with a different request.`,
    );
  }
  if (record.state === 'pending') {
    throw new ProblemException(
      HttpStatus.CONFLICT,
      ProblemCode.IdempotencyRequestInProgress,
      `A request with this ${IDEMPOTENCY_KEY_HEADER} is still being processed; retry later.`,
    );
  }
  response.status(record.status);
  response.header(IDEMPOTENT_REPLAYED_HEADER, 'true');
  return record.body;
}

// The path as the client sent it (ids included, query left out): the same
// key on /v1/tasks/a/revoke and /v1/tasks/b/revoke is two requests.
function pathOf(request: FastifyRequest): string {
  const url = request.originalUrl ?? request.url;
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}
