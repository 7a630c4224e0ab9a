import {
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
  MonitorProblem,
  notFound,
  ProblemException,
} from '../http/problem';
import { EventsState } from '../state/events-state';
import {
  type InspectedWorker,
  WorkerInspector,
} from '../workers/worker-inspector';
import { queryFlag } from './query-flag';
import { checkPathName } from './task-options';

/** Flower 2.x's worker routes (`flower/api/workers.py`, `control.py`). */
@Controller('api')
export class FlowerWorkersController {
  constructor(
    private readonly state: EventsState,
    private readonly inspector: WorkerInspector,
    private readonly control: ControlClient,
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

  private async consumerCommand(
    method: string,
    name: string,
    queue: unknown,
    verb: string,
    preposition: string,
  ): Promise<{ message: string }> {
    this.requireWorker(name);
    if (typeof queue !== 'string' || !/^[A-Za-z0-9._:@-]{1,255}$/.test(queue)) {
      throw badRequest('queue must be a queue name');
    }
    const replies = await this.control.broadcast(method, {
      arguments: { queue },
      destination: [name],
      reply: true,
    });
    const answer = replies.find((reply) => name in reply)?.[name] as
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
    // Flower answers 403 with this text.
    throw new ProblemException(
      HttpStatus.FORBIDDEN,
      MonitorProblem.WorkerFailed,
      `Failed to ${verb} '${queue}' consumer ${preposition} '${name}' worker: ${reason}`,
    );
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
