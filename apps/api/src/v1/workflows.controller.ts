import {
  Body,
  Controller,
  HttpCode,
  Inject,
  HttpStatus,
  ParseBoolPipe,
  Post,
  Query,
} from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBody,
  ApiOperation,
  ApiProperty,
  ApiQuery,
  ApiTags,
} from '@nestjs/swagger';
import {
  TASKS_MODULE_OPTIONS,
  TaskProducer,
  type TasksModuleOptions,
} from '@celeriac/tasks';
import { ApiUnregisteredTaskProblem } from '../problem/common.problems';
import { Idempotent } from '../idempotency';
import {
  ProblemCode,
  ProblemException,
} from '../problem/problem-details.filter';
import {
  ApiInternalProblemResponse,
  ApiProblemResponse,
} from '../problem/api-problem-response';
import { ApiPublishUnavailableProblems } from '../problem/dependency.problems';
import { ApiJsonBodyProblems, ApiKeyAuth } from '../security';
import { WORKFLOW_EXAMPLES } from './workflow.examples';
import { parseWorkflow } from './workflow.parser';
import {
  queuesOf,
  RequestSendScope,
  type SendScope,
  SendPolicy,
} from './send-policy';

/** `202` of a workflow. */
export class WorkflowSubmittedDto {
  @ApiProperty({
    description: "The final task's id: the workflow's result",
    example: '0a3c0648-0b66-46de-9d07-3a2af6605174',
  })
  task_id: string;

  @ApiProperty({
    type: [String],
    description: 'Every task id it will create',
    example: [
      '5d1c8d2e-6f4b-4a8e-9f0a-1b2c3d4e5f60',
      '9b7e6d5c-4b3a-4c2d-8e1f-0a9b8c7d6e5f',
      '0a3c0648-0b66-46de-9d07-3a2af6605174',
    ],
  })
  task_ids: string[];

  @ApiProperty({
    type: [String],
    description: 'Every group and chord header id',
    example: ['7ced8d75-5b22-4cfd-9ff7-ea29000839af'],
  })
  group_ids: string[];

  @ApiProperty({ example: '/v1/tasks/0a3c0648-0b66-46de-9d07-3a2af6605174' })
  status_url: string;
}

/** Celery canvases as JSON: chain, group, chord, nested to any depth. */
@ApiKeyAuth()
@ApiTags('v1 workflows')
@Controller('v1/workflows')
@ApiInternalProblemResponse('An unexpected error', '/v1/workflows')
@ApiPublishUnavailableProblems('/v1/workflows')
export class WorkflowsController {
  constructor(
    private readonly producer: TaskProducer,
    private readonly sendPolicy: SendPolicy,
    @Inject(TASKS_MODULE_OPTIONS)
    private readonly tasksOptions: TasksModuleOptions,
  ) {}

  @Post()
  @HttpCode(HttpStatus.ACCEPTED)
  @Idempotent()
  @ApiOperation({
    summary:
      'Submit a workflow: {"chain": [...]}, {"group": [...]}, {"chord": {"header": [...], "body": {...}}}, {"map" | "starmap" | "chunks": {...}}, nested to any depth',
  })
  @ApiBody({
    description:
      'A canvas; leaves are {task, args?, kwargs?, options?: {queue, time_limit, soft_time_limit}, immutable?}; any node may add link / link_error (a node or a list); the link_error of a chord goes to its body, and to its header tasks too when TASK_ALLOW_ERROR_CB_ON_CHORD_HEADER=true. Groups, chords and chains nest in each other to any depth; a group followed by a step in a chain becomes a chord, as in Celery.',
    schema: { type: 'object' },
    examples: WORKFLOW_EXAMPLES,
  })
  @ApiQuery({ name: 'unchecked', required: false, type: Boolean })
  @ApiAcceptedResponse({
    type: WorkflowSubmittedDto,
    description: 'Published: its first tasks are queued',
  })
  @ApiProblemResponse(HttpStatus.BAD_REQUEST, 'Not a valid canvas', {
    code: ProblemCode.WorkflowInvalid,
    detail: 'The workflow is not a valid canvas.',
    instance: '/v1/workflows',
    errors: [{ field: 'body.chain[0].task', message: 'must be a task name' }],
  })
  @ApiJsonBodyProblems('/v1/workflows')
  @ApiUnregisteredTaskProblem('/v1/workflows')
  async submit(
    @Body() body: unknown,
    @RequestSendScope() scope: SendScope,
    @Query('unchecked', new ParseBoolPipe({ optional: true }))
    unchecked?: boolean,
  ): Promise<WorkflowSubmittedDto> {
    const parsed = parseWorkflow(body, {
      allowErrorCbOnChordHeader: this.tasksOptions.allowErrorCbOnChordHeader,
    });
    if (!parsed.ok) {
      throw new ProblemException(
        HttpStatus.BAD_REQUEST,
        ProblemCode.WorkflowInvalid,
        'The workflow is not a valid canvas.',
        parsed.errors,
      );
    }
    this.sendPolicy.check(scope, {
      tasks: parsed.tasks,
      queues: queuesOf(parsed.workflow),
      unchecked,
    });
    const { taskId, taskIds, groupIds } = await this.producer.applyWorkflow(
      parsed.workflow,
    );
    return {
      task_id: taskId,
      task_ids: taskIds,
      group_ids: groupIds,
      status_url: `/v1/tasks/${taskId}`,
    };
  }
}
