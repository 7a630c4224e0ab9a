import {
  createParamDecorator,
  type ExecutionContext,
  HttpStatus,
  Injectable,
} from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { CeleriacConfig } from '@celeriac/config';
import { type CanvasNode, TaskRegistry } from '@celeriac/tasks';
import { requireRegistered } from '../problem/common.problems';
import {
  ProblemCode,
  ProblemException,
} from '../problem/problem-details.filter';

/** What the caller's API key may do when it sends tasks. */
export interface SendScope {
  /** `?unchecked=true`: any task name, even one no celeriac worker declares. */
  unchecked: boolean;
}

const SEND_SCOPE = Symbol('celeriac.sendScope');
type ScopedRequest = FastifyRequest & { [SEND_SCOPE]?: SendScope };

/** Without API_KEYS there is no one to tell apart: everything is allowed. */
const OPEN_SCOPE: SendScope = { unchecked: true };

/** The API key guard records the matched key's scope on the request. */
export function recordSendScope(
  request: FastifyRequest,
  scope: SendScope,
): void {
  (request as ScopedRequest)[SEND_SCOPE] = scope;
}

/** The route's {@link SendScope}, as the API key guard recorded it. */
export const RequestSendScope = createParamDecorator(
  (_: unknown, context: ExecutionContext): SendScope =>
    context.switchToHttp().getRequest<ScopedRequest>()[SEND_SCOPE] ??
    OPEN_SCOPE,
);

/** What one request wants to send. */
export interface SendRequest {
  tasks: readonly string[];
  queues: readonly (string | undefined)[];
  unchecked: boolean | undefined;
}

/**
 * Whether a request may send what it asks to: `?unchecked=true` only with a
 * key given the `unchecked` scope (when API_KEYS is set), registered task
 * names otherwise, and queues among API_QUEUES (names or `prefix*`) when set.
 */
@Injectable()
export class SendPolicy {
  constructor(
    private readonly registry: TaskRegistry,
    private readonly config: CeleriacConfig,
  ) {}

  check(scope: SendScope, request: SendRequest): void {
    if (request.unchecked && !scope.unchecked) {
      throw new ProblemException(
        HttpStatus.FORBIDDEN,
        ProblemCode.Forbidden,
        'This API key may not send ?unchecked=true: list it as <key>:unchecked in API_KEYS.',
      );
    }
    requireRegistered(this.registry, request.tasks, request.unchecked);
    const allowed = this.config.api.queues;
    if (allowed === undefined) {
      return;
    }
    const refused = [
      ...new Set(
        request.queues.filter(
          (queue): queue is string =>
            queue !== undefined && !allowed.some((p) => matches(p, queue)),
        ),
      ),
    ];
    if (refused.length > 0) {
      throw new ProblemException(
        HttpStatus.UNPROCESSABLE_ENTITY,
        ProblemCode.QueueNotAllowed,
        `Queue${refused.length > 1 ? 's' : ''} ${refused.join(', ')} not served here; API_QUEUES allows ${allowed.join(', ')}.`,
      );
    }
  }
}

function matches(pattern: string, queue: string): boolean {
  return pattern.endsWith('*')
    ? queue.startsWith(pattern.slice(0, -1))
    : queue === pattern;
}

/** Every queue a canvas names in its signatures' options. */
export function queuesOf(node: CanvasNode): (string | undefined)[] {
  switch (node.kind) {
    case 'task':
      return [node.signature.options.queue];
    case 'chain':
      return node.steps.flatMap(queuesOf);
    case 'group':
      return node.members.flatMap(queuesOf);
    case 'chord':
      return [...node.header.flatMap(queuesOf), ...queuesOf(node.body)];
  }
}
