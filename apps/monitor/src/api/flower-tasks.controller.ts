import {
  Body,
  Controller,
  Get,
  HttpCode,
  Param,
  Post,
  Query,
} from '@nestjs/common';
import { badRequest, notFound } from '../http/problem';
import { QueueWatcher } from '../queues/queue-watcher';
import { EventsState } from '../state/events-state';
import {
  parseTaskQuery,
  queryTasks,
  TaskQueryError,
} from '../state/task-query';
import type { TaskRecord } from '../contract/flower-task';
import { presentTask } from '../state/task-record';
import { queryFlag } from './query-flag';
import { checkPathName, parseTaskSubmission } from './task-options';
import { TaskService } from './task-service';

/** Flower 2.x's task routes (`flower/api/tasks.py`, `control.py`), same paths, parameters and keys. */
@Controller('api')
export class FlowerTasksController {
  constructor(
    private readonly state: EventsState,
    private readonly tasks: TaskService,
    private readonly queues: QueueWatcher,
  ) {}

  @Get('tasks')
  list(@Query() params: Record<string, unknown>): Record<string, TaskRecord> {
    let query;
    try {
      query = parseTaskQuery(params);
    } catch (error) {
      if (error instanceof TaskQueryError) {
        throw badRequest(error.message);
      }
      throw error;
    }
    const page = queryTasks(this.state.allTasks().map(presentTask), query);
    return Object.fromEntries(page.map((task) => [task.uuid, task]));
  }

  @Get('task/types')
  types(): { 'task-types': string[] } {
    return { 'task-types': this.state.taskTypes() };
  }

  @Get('task/info/:id')
  info(@Param('id') id: string): TaskRecord {
    return this.tasks.info(checkPathName('task id', id));
  }

  @Get('task/result/:id')
  result(@Param('id') id: string): Promise<Record<string, unknown>> {
    return this.tasks.result(checkPathName('task id', id));
  }

  @Get('queues/length')
  async queueLengths(): Promise<{
    active_queues: { name: string; messages: number }[];
  }> {
    const queues = await this.queues.current();
    return {
      active_queues: queues.map(({ name, messages }) => ({ name, messages })),
    };
  }

  @Post('task/async-apply/:name')
  @HttpCode(200)
  async asyncApply(
    @Param('name') name: string,
    @Body() body: unknown,
  ): Promise<{ 'task-id': string; state: string }> {
    checkPathName('task name', name);
    const submission = parseTaskSubmission(body);
    if (!this.tasks.isKnownTask(name)) {
      throw notFound(`Unknown task '${name}'`);
    }
    const { taskId, state } = await this.tasks.send(name, submission);
    return { 'task-id': taskId, state };
  }

  @Post('task/send-task/:name')
  @HttpCode(200)
  async sendTask(
    @Param('name') name: string,
    @Body() body: unknown,
  ): Promise<{ 'task-id': string; state: string }> {
    checkPathName('task name', name);
    const { taskId, state } = await this.tasks.send(
      name,
      parseTaskSubmission(body),
    );
    return { 'task-id': taskId, state };
  }

  @Post('task/revoke/:id')
  @HttpCode(200)
  async revoke(
    @Param('id') id: string,
    @Query('terminate') terminate: unknown,
    @Query('signal') signal: unknown,
  ): Promise<{ message: string }> {
    checkPathName('task id', id);
    const sig = signal === undefined ? 'SIGTERM' : signal;
    if (typeof sig !== 'string' || !/^(SIG)?[A-Z0-9]{2,10}$/.test(sig)) {
      throw badRequest('signal must be a signal name such as SIGTERM');
    }
    await this.tasks.revoke(id, queryFlag('terminate', terminate), sig);
    return { message: `Revoked '${id}'` };
  }
}
