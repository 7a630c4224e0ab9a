import { Controller, Logger } from '@nestjs/common';
import {
  buildTaskMessage,
  pyRepr,
  type SignatureDict,
  type TaskMessage,
} from '@celeriac/broker';
import { ResultRepository, TaskState } from '@celeriac/results';
import {
  chordResultId,
  planChordBody,
  planChordErrbacks,
} from '../canvas/chord-body';
import {
  type HeaderResult,
  headerResultsOf,
  joinHeader,
  leafIdsOf,
  type StoredOutcome,
} from '../canvas/chord-unlock';
import { MaxRetriesExceededError } from '../errors/retry-request';
import { PlanPublisher } from '../producer/plan-publisher';
import { TaskRouter } from '../producer/task-router';
import { Task } from '../task.decorator';
import type { TaskCall, TaskRequest } from '../task-call';

/** Celery's `result_chord_retry_interval`: seconds between polls. */
const DEFAULT_INTERVAL_SECONDS = 1;

/**
 * Celery's `celery.chord_unlock` (celery/app/builtins.py): what a Python
 * producer whose result backend has no native chord join (database,
 * MongoDB, file system, ...) sends instead of counting header parts. It
 * polls the header's results, retrying itself every `interval` seconds
 * while any is not ready, then applies the body with the joined results,
 * or fails it with Celery's ChordError and runs its errbacks.
 */
@Controller()
export class CeleryChordUnlockTask {
  private readonly logger = new Logger(CeleryChordUnlockTask.name);

  constructor(
    private readonly router: TaskRouter,
    private readonly publisher: PlanPublisher,
    private readonly results: ResultRepository,
  ) {}

  @Task({
    name: 'celery.chord_unlock',
    params: [
      'group_id',
      'callback',
      'interval',
      'max_retries',
      'result',
      '**kwargs',
    ],
    // Celery's: retries until the header is done, stores no result.
    maxRetries: Number.POSITIVE_INFINITY,
    defaultRetryDelay: DEFAULT_INTERVAL_SECONDS,
    ignoreResult: true,
    description:
      "Celery's builtin: polls a chord's header, then applies its body",
  })
  async unlock({
    args: [groupId, callback, interval, maxRetries, result],
    request,
  }: TaskCall): Promise<null> {
    const body = callback as SignatureDict;
    const header = headerResultsOf(result);
    // A backend error retries too, as Celery's `deps.ready()` raising does.
    const outcomes = await this.readOutcomes(header).catch((error: unknown) =>
      retryUnlock(request, interval, maxRetries, error),
    );
    const joined = joinHeader(header, outcomes);
    if (!joined.ready) {
      retryUnlock(request, interval, maxRetries);
    }
    const parent = messageOf(request);
    if ('failure' in joined) {
      this.logger.warn({
        msg: 'chord failed',
        groupId,
        reason: joined.failure,
      });
      await this.failBody(body, joined.failure, parent);
      return null;
    }
    try {
      await this.publisher.publish(
        planChordBody(parent, body, joined.values, this.router),
      );
    } catch (error) {
      await this.failBody(body, `Callback error: ${reprOf(error)}`, parent);
    }
    return null;
  }

  /** The stored state and result of each of the header's tasks. */
  private async readOutcomes(
    header: HeaderResult[],
  ): Promise<Map<string, StoredOutcome>> {
    const ids = leafIdsOf(header);
    const metas = await this.results.getManyTaskMeta(ids);
    return new Map(
      metas.flatMap((meta, index) =>
        meta
          ? [[ids[index], { status: meta.status, result: meta.result }]]
          : [],
      ),
    );
  }

  /** Celery's `chord_error_from_stack`: the body's errbacks, then its ChordError. */
  private async failBody(
    body: SignatureDict,
    reason: string,
    parent: TaskMessage,
  ): Promise<void> {
    const errbacks = planChordErrbacks(parent, body, this.router);
    if (errbacks) {
      await this.publisher.publish(errbacks);
    }
    const bodyId = chordResultId(body);
    if (typeof bodyId === 'string') {
      await this.results.storeResult(bodyId, TaskState.Failure, {
        exc_type: 'ChordError',
        exc_message: [reason],
        exc_module: 'celery.exceptions',
      });
    }
  }
}

function intervalOf(interval: unknown): number {
  return typeof interval === 'number' && interval >= 0
    ? interval
    : DEFAULT_INTERVAL_SECONDS;
}

/**
 * Celery's `self.retry(exc=error, countdown=interval, max_retries=...)`:
 * past `max_retries` (none by default) the error, or
 * MaxRetriesExceededError, ends the unlock.
 */
function retryUnlock(
  request: TaskRequest,
  interval: unknown,
  maxRetries: unknown,
  error?: unknown,
): never {
  if (typeof maxRetries === 'number' && request.retries >= maxRetries) {
    throw error instanceof Error
      ? error
      : new MaxRetriesExceededError(request.task, request.id, request.retries);
  }
  return request.retry({ countdown: intervalOf(interval), error });
}

/**
 * The unlock task as the parent of what it applies (Celery applies the body
 * from inside it: parent_id is its id, root_id its root).
 */
function messageOf(request: TaskRequest): TaskMessage {
  return buildTaskMessage({
    task: request.task,
    id: request.id,
    rootId: request.rootId,
    parentId: request.parentId,
  });
}

function reprOf(error: unknown): string {
  const name = error instanceof Error ? error.name : 'Exception';
  const message = error instanceof Error ? error.message : String(error);
  return `${name}(${pyRepr(message)})`;
}
