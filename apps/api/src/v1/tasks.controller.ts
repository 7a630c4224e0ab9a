import {
  Body,
  Controller,
  Get,
  HttpCode,
  HttpStatus,
  MessageEvent,
  Param,
  ParseBoolPipe,
  Post,
  Query,
  Sse,
} from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiQuery,
  ApiTags,
} from '@nestjs/swagger';
import { Observable } from 'rxjs';
import { CeleryClient } from '@celeriac/broker';
import {
  isReadyState,
  ResultRepository,
  ResultWaiter,
  RevokedRepository,
  type TaskMeta,
} from '@celeriac/results';
import { TaskProducer, TaskRegistry } from '@celeriac/tasks';
import {
  ApiUnregisteredTaskProblem,
  notFoundProblem,
} from '../problem/common.problems';
import { Idempotent } from '../idempotency';
import { ProblemCode } from '../problem/problem-details.filter';
import {
  ApiInternalProblemResponse,
  ApiProblemResponse,
} from '../problem/api-problem-response';
import { ApiPublishUnavailableProblems } from '../problem/dependency.problems';
import { ApiJsonBodyProblems, ApiKeyAuth } from '../security';
import { TaskIdPipe } from '../result/task-id.pipe';
import {
  sendTaskOptionsOf,
  SubmitTaskDto,
  TaskSubmittedDto,
} from './dto/submit-task.dto';
import {
  RegisteredTaskDto,
  RevokeTaskDto,
  TaskRevokedDto,
  TaskViewDto,
} from './dto/task-view.dto';
import { WaitSecondsPipe } from './wait-seconds.pipe';
import { presentTaskView } from './task-view.presenter';
import { RequestSendScope, type SendScope, SendPolicy } from './send-policy';

// What Nest's SSE stream writes: the state as the event, a counter as the id.
const SSE_EXAMPLE = [
  'event: STARTED',
  'id: 1',
  'data: {"task_id":"265caae7-9b57-43bf-ba0c-01eb3ae21630","status":"STARTED","result":null,"ready":false,"date_done":null,"parent_id":null,"group_id":null,"children":[]}',
  '',
  'event: SUCCESS',
  'id: 2',
  'data: {"task_id":"265caae7-9b57-43bf-ba0c-01eb3ae21630","status":"SUCCESS","result":5,"ready":true,"date_done":"2026-11-24T01:00:00.123000","parent_id":null,"group_id":null,"children":[]}',
  '',
  '',
].join('\n');

/** The public task API: submit any task, read it, wait for it, revoke it. */
@ApiKeyAuth()
@ApiTags('v1 tasks')
@Controller('v1/tasks')
@ApiInternalProblemResponse(
  'An unexpected error',
  '/v1/tasks/265caae7-9b57-43bf-ba0c-01eb3ae21630',
)
@ApiPublishUnavailableProblems('/v1/tasks')
export class TasksController {
  constructor(
    private readonly producer: TaskProducer,
    private readonly registry: TaskRegistry,
    private readonly results: ResultRepository,
    private readonly waiter: ResultWaiter,
    private readonly revoked: RevokedRepository,
    private readonly client: CeleryClient,
    private readonly sendPolicy: SendPolicy,
  ) {}

  @Post()
  @HttpCode(HttpStatus.ACCEPTED)
  @Idempotent()
  @ApiOperation({
    summary: 'Submit a task (Celery send_task) with its options',
  })
  @ApiQuery({
    name: 'unchecked',
    required: false,
    type: Boolean,
    description:
      'Send even if no celeriac worker declares the task (a Python-only task)',
  })
  @ApiAcceptedResponse({
    type: TaskSubmittedDto,
    description: 'Published to its queue',
  })
  @ApiProblemResponse(HttpStatus.BAD_REQUEST, 'Invalid or unknown fields', {
    code: ProblemCode.ValidationFailed,
    detail: 'The request has invalid fields.',
    instance: '/v1/tasks',
    errors: [
      { field: 'countdown', message: 'countdown must not be less than 0' },
    ],
  })
  @ApiJsonBodyProblems('/v1/tasks')
  @ApiUnregisteredTaskProblem('/v1/tasks')
  async submit(
    @Body() body: SubmitTaskDto,
    @RequestSendScope() scope: SendScope,
    // `?: boolean` keeps the design type Boolean, so the global pipe reads
    // anything but `true` as false, as before.
    @Query('unchecked', new ParseBoolPipe({ optional: true }))
    unchecked?: boolean,
  ): Promise<TaskSubmittedDto> {
    this.sendPolicy.check(scope, {
      tasks: [body.task],
      queues: [body.queue],
      unchecked,
    });
    const { taskId } = await this.producer.sendTask(
      body.task,
      sendTaskOptionsOf(body),
    );
    return { task_id: taskId, status_url: `/v1/tasks/${taskId}` };
  }

  @Get()
  @ApiOperation({ summary: 'The registered tasks: names, queues, parameters' })
  @ApiOkResponse({
    type: [RegisteredTaskDto],
    description: 'Every task this api knows',
  })
  list(): RegisteredTaskDto[] {
    return this.registry.list().map((task) => ({
      name: task.name,
      queue: this.producer.queueFor(task.name),
      params: task.params,
      ...(task.description ? { description: task.description } : {}),
    }));
  }

  @Get(':task_id')
  @ApiOperation({
    summary:
      "A task's state and extended meta; ?wait=N waits up to N s for it to finish",
  })
  @ApiQuery({
    name: 'wait',
    required: false,
    type: Number,
    description: 'Seconds, 0-60',
  })
  @ApiOkResponse({
    type: TaskViewDto,
    description: 'Its state now, or once done if that comes within ?wait',
  })
  @ApiProblemResponse(
    HttpStatus.BAD_REQUEST,
    'The id cannot be a task id, or ?wait is not 0 to 60',
    {
      code: ProblemCode.ValidationFailed,
      detail: 'wait is a number of seconds from 0 to 60.',
      instance: '/v1/tasks/265caae7-9b57-43bf-ba0c-01eb3ae21630?wait=-1',
      errors: [{ field: 'wait', message: 'must be 0 to 60' }],
    },
  )
  @ApiTaskNotFound()
  async get(
    @Param('task_id', TaskIdPipe) taskId: string,
    @Query('wait', WaitSecondsPipe) wait: number,
  ): Promise<TaskViewDto> {
    const meta = await this.metaOrNotFound(taskId);
    if (isReadyState(meta.status) || wait === 0) {
      return presentTaskView(taskId, meta);
    }
    return presentTaskView(taskId, await this.waitForReady(taskId, wait));
  }

  @Sse(':task_id/events')
  @ApiOperation({
    summary: "Server-Sent Events of a task's states, until it finishes",
  })
  @ApiProduces('text/event-stream')
  @ApiOkResponse({
    description:
      'One event per state: `event: <STATE>`, `data: <task view JSON>`',
    schema: { type: 'string' },
    example: SSE_EXAMPLE,
  })
  @ApiBadTaskId()
  @ApiTaskNotFound()
  async events(
    @Param('task_id', TaskIdPipe) taskId: string,
  ): Promise<Observable<MessageEvent>> {
    await this.metaOrNotFound(taskId);
    return new Observable<MessageEvent>((subscriber) => {
      let stop: (() => void) | undefined;
      let last: string | undefined;
      const emit = (meta: TaskMeta) => {
        const key = `${meta.status}:${JSON.stringify(meta.result)}`;
        if (key !== last) {
          last = key;
          subscriber.next({
            type: meta.status,
            data: presentTaskView(taskId, meta),
          });
        }
        if (isReadyState(meta.status)) {
          subscriber.complete();
        }
      };
      void (async () => {
        // Subscribe first, then read: no state written in between is lost.
        stop = await this.waiter.watch(taskId, emit);
        const current = await this.results.getTaskMeta(taskId);
        if (current) {
          emit(current);
        }
      })().catch((error: unknown) => subscriber.error(error));
      return () => stop?.();
    });
  }

  @Post(':task_id/revoke')
  @HttpCode(HttpStatus.ACCEPTED)
  @Idempotent()
  @ApiOperation({
    summary:
      'Revoke a task: it will not run; with terminate, a running one is stopped',
  })
  @ApiAcceptedResponse({
    type: TaskRevokedDto,
    description: 'Revoked, and the workers told',
  })
  @ApiProblemResponse(
    HttpStatus.BAD_REQUEST,
    'The id cannot be a task id, or invalid or unknown fields',
    {
      code: ProblemCode.ValidationFailed,
      detail: 'The request has invalid fields.',
      instance: '/v1/tasks/265caae7-9b57-43bf-ba0c-01eb3ae21630/revoke',
      errors: [
        { field: 'terminate', message: 'terminate must be a boolean value' },
      ],
    },
  )
  @ApiJsonBodyProblems('/v1/tasks/265caae7-9b57-43bf-ba0c-01eb3ae21630/revoke')
  @ApiTaskNotFound()
  async revoke(
    @Param('task_id', TaskIdPipe) taskId: string,
    @Body() body: RevokeTaskDto,
  ): Promise<TaskRevokedDto> {
    await this.metaOrNotFound(taskId);
    const terminate = body.terminate === true;
    // Stored first, so a worker that starts later still refuses it.
    await this.revoked.revoke([taskId]);
    await this.client.broadcastControl('revoke', {
      task_id: taskId,
      terminate,
      signal: 'SIGTERM',
    });
    return { task_id: taskId, revoked: true, terminate };
  }

  private async metaOrNotFound(taskId: string): Promise<TaskMeta> {
    const meta = await this.results.getTaskMeta(taskId);
    if (!meta) {
      throw notFoundProblem('task', taskId);
    }
    return meta;
  }

  /** Resolves with the first ready state, or the current one after `seconds`. */
  private async waitForReady(
    taskId: string,
    seconds: number,
  ): Promise<TaskMeta> {
    let resolveReady: (meta: TaskMeta) => void = () => undefined;
    const ready = new Promise<TaskMeta>((resolve) => (resolveReady = resolve));
    const stop = await this.waiter.watch(taskId, (meta) => {
      if (isReadyState(meta.status)) {
        resolveReady(meta);
      }
    });
    let timer: NodeJS.Timeout | undefined;
    try {
      // Read after subscribing: it may have finished in between.
      const now = await this.metaOrNotFound(taskId);
      if (isReadyState(now.status)) {
        return now;
      }
      const outcome = await Promise.race([
        ready,
        new Promise<null>((resolve) => {
          timer = setTimeout(() => resolve(null), seconds * 1000);
        }),
      ]);
      return outcome ?? (await this.metaOrNotFound(taskId));
    } finally {
      clearTimeout(timer);
      stop();
    }
  }
}

/** The 400 of a route whose only input is the task id. */
function ApiBadTaskId(): MethodDecorator {
  return ApiProblemResponse(
    HttpStatus.BAD_REQUEST,
    'The id cannot be a task id',
    {
      code: ProblemCode.ValidationFailed,
      detail: 'An id is 1 to 255 printable ASCII characters.',
      instance: '/v1/tasks/%20/events',
    },
  );
}

/** The 404 of a route that reads the task's result first. */
function ApiTaskNotFound(): MethodDecorator {
  return ApiProblemResponse(HttpStatus.NOT_FOUND, 'Nobody issued this id', {
    code: ProblemCode.NotFound,
    detail:
      'No task with id "265caae7-9b57-43bf-ba0c-01eb3ae21630" was issued, or its result expired.',
    instance: '/v1/tasks/265caae7-9b57-43bf-ba0c-01eb3ae21630',
  });
}
