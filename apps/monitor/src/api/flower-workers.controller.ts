import {
  Body,
  Controller,
  Get,
  HttpCode,
  HttpStatus,
  Param,
  Post,
  Query,
} from '@nestjs/common';
import { ControlClient } from '@celeriac/broker';
import {
  badRequest,
  ProblemCode,
  notFound,
  ProblemException,
} from '../http/problem';
import { EventsState } from '../state/events-state';
import {
  type InspectedWorker,
  WorkerInspector,
} from '../workers/worker-inspector';
import { queryFlag } from './query-flag';
import { checkPathName, parseNumber } from './task-options';
import { TaskService } from './task-service';

/** Flower 2.x's worker routes (`flower/api/workers.py`, `control.py`). */
@Controller('api')
export class FlowerWorkersController {
  constructor(
    private readonly state: EventsState,
    private readonly inspector: WorkerInspector,
    private readonly control: ControlClient,
    private readonly tasks: TaskService,
  ) {}

  @Get('workers')
  async workers(
    @Query('refresh') refreshParam: unknown,
    @Query('status') statusParam: unknown,
    @Query('workername') workername: unknown,
  ): Promise<Record<string, InspectedWorker | boolean>> {
    const refresh = queryFlag('refresh', refreshParam);
    const status = queryFlag('status', statusParam);
    if (workername !== undefined && typeof workername !== 'string') {
      throw badRequest('workername must be given once');
    }
    if (status) {
      const now = Date.now() / 1000;
      return Object.fromEntries(
        this.state
          .allWorkers()
          .map((worker) => [
            worker.hostname,
            this.state.isAlive(worker.hostname, now),
          ]),
      );
    }
    if (refresh || this.inspector.workers.size === 0) {
      await this.inspector.inspect(workername || undefined);
    }
    const known = this.known();
    if (workername) {
      if (!known.has(workername)) {
        throw notFound(`Unknown worker '${workername}'`);
      }
      return { [workername]: known.get(workername) ?? {} };
    }
    return Object.fromEntries(known);
  }

  @Post('worker/shutdown/:name')
  @HttpCode(200)
  async shutdown(@Param('name') name: string): Promise<{ message: string }> {
    this.requireWorker(name);
    await this.control.broadcast('shutdown', { destination: [name] });
    return { message: 'Shutting down!' };
  }

  @Post('worker/queue/add-consumer/:name')
  @HttpCode(200)
  addConsumer(
    @Param('name') name: string,
    @Query('queue') queue: unknown,
  ): Promise<{ message: string }> {
    return this.consumerCommand('add_consumer', name, queue, 'add', 'to');
  }

  @Post('worker/queue/cancel-consumer/:name')
  @HttpCode(200)
  cancelConsumer(
    @Param('name') name: string,
    @Query('queue') queue: unknown,
  ): Promise<{ message: string }> {
    return this.consumerCommand(
      'cancel_consumer',
      name,
      queue,
      'cancel',
      'from',
    );
  }

  /**
   * Flower's `POST /api/task/timeout/<task>`: `workername` (required),
   * `soft` and `hard` seconds, in the query or a form or JSON body; an
   * unset limit is taken off, as Celery's `time_limit` does.
   */
  @Post('task/timeout/:task')
  @HttpCode(200)
  async timeout(
    @Param('task') task: string,
    @Query() query: Record<string, unknown>,
    @Body() body: unknown,
  ): Promise<{ message: string }> {
    const { workername, ...params } = taskCommandParams(task, query, body);
    const soft = optionalSeconds('soft', params.soft);
    const hard = optionalSeconds('hard', params.hard);
    if (!this.tasks.isKnownTask(task)) {
      throw notFound(`Unknown task '${task}'`);
    }
    return this.askOneWorker(
      workername,
      'time_limit',
      { task_name: task, soft, hard },
      'Failed to set timeouts',
    );
  }

  /**
   * Flower's `POST /api/task/rate-limit/<task>`: `workername` and
   * `ratelimit` (Celery's syntax; `0` or empty takes it off), in the query
   * or a form or JSON body; the worker's reply decides (403 with its reason).
   */
  @Post('task/rate-limit/:task')
  @HttpCode(200)
  async rateLimit(
    @Param('task') task: string,
    @Query() query: Record<string, unknown>,
    @Body() body: unknown,
  ): Promise<{ message: string }> {
    const { workername, ratelimit } = taskCommandParams(task, query, body);
    if (typeof ratelimit !== 'string' && typeof ratelimit !== 'number') {
      throw badRequest('ratelimit must be N/s, N/m, N/h or a number');
    }
    return this.askOneWorker(
      workername,
      'rate_limit',
      { task_name: task, rate_limit: ratelimit },
      'Failed to set rate limit',
    );
  }

  private async consumerCommand(
    method: string,
    name: string,
    queue: unknown,
    verb: string,
    preposition: string,
  ): Promise<{ message: string }> {
    this.requireWorker(name); // an unknown worker is a 404 before a bad queue's 400
    if (typeof queue !== 'string' || !/^[A-Za-z0-9._:@-]{1,255}$/.test(queue)) {
      throw badRequest('queue must be a queue name');
    }
    return this.askOneWorker(
      name,
      method,
      { queue },
      `Failed to ${verb} '${queue}' consumer ${preposition} '${name}' worker`,
    );
  }

  // One known worker's answer to a control command, as Flower reports it.
  private async askOneWorker(
    workername: string,
    method: string,
    args: Record<string, unknown>,
    failure: string,
  ): Promise<{ message: string }> {
    this.requireWorker(workername);
    const replies = await this.control.broadcast(method, {
      arguments: args,
      destination: [workername],
      reply: true,
    });
    return okOrForbidden(replies, workername, failure);
  }

  // Every worker the events or the inspector know, with what it answered.
  private known(): Map<string, InspectedWorker> {
    const known = new Map<string, InspectedWorker>();
    for (const worker of this.state.allWorkers()) {
      known.set(worker.hostname, {});
    }
    for (const [hostname, info] of this.inspector.workers) {
      known.set(hostname, info);
    }
    return known;
  }

  private requireWorker(name: string): void {
    checkPathName('worker name', name);
    if (!this.state.findWorker(name) && !this.inspector.workers.has(name)) {
      throw notFound(`Unknown worker '${name}'`);
    }
  }
}

/** The worker's `ok` as Flower's message; else Flower's 403 with the reason. */
function okOrForbidden(
  replies: Record<string, unknown>[],
  worker: string,
  failure: string,
): { message: string } {
  const answer = replies.find((reply) => worker in reply)?.[worker] as
    { ok?: unknown; error?: unknown } | undefined;
  if (answer && typeof answer.ok === 'string') {
    return { message: answer.ok };
  }
  const reason =
    answer && typeof answer.error === 'string'
      ? answer.error
      : answer
        ? 'Unknown reason'
        : 'no reply';
  throw new ProblemException(
    HttpStatus.FORBIDDEN,
    ProblemCode.WorkerFailed,
    `${failure}: ${reason}`,
  );
}

// Seconds from a query string, a form field or JSON; absent: null (no limit).
function optionalSeconds(name: string, value: unknown): number | null {
  return value === undefined || value === null || value === ''
    ? null
    : parseNumber(name, value);
}

/**
 * The parameters of Flower's per-task worker commands: from the query or a
 * form or JSON body, the query winning, with `workername` required.
 */
function taskCommandParams(
  task: string,
  query: Record<string, unknown>,
  body: unknown,
): Record<string, unknown> & { workername: string } {
  checkPathName('task name', task);
  const params = { ...recordOf(body), ...query };
  const { workername } = params;
  if (typeof workername !== 'string' || workername === '') {
    throw badRequest('workername must name a worker');
  }
  return { ...params, workername };
}

function recordOf(body: unknown): Record<string, unknown> {
  return typeof body === 'object' && body !== null && !Array.isArray(body)
    ? (body as Record<string, unknown>)
    : {};
}
