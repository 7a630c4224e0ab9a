import { Controller, Get, HttpStatus, Param, Res } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { ResultRepository } from '@celeriac/results';
import { notFoundProblem } from '../problem/common.problems';
import { ProblemCode } from '../problem/problem-details.filter';
import {
  ApiInternalProblemResponse,
  ApiProblemResponse,
} from '../problem/api-problem-response';
import { ApiResultBackendUnavailableProblem } from '../problem/dependency.problems';
import { ApiRateLimitedResponse } from '../security';
import { GroupResultDto, TaskResultDto } from './dto/result.dto';
import { presentGroup, presentTask, statusCodeOf } from './result.presenter';
import { TaskIdPipe } from './task-id.pipe';

/** The seed's result endpoints: state and value of a task or a group. */
@ApiTags('seed')
@Controller('result')
@ApiProblemResponse(HttpStatus.BAD_REQUEST, 'The id cannot be a task id', {
  code: ProblemCode.ValidationFailed,
  detail: 'An id is 1 to 255 printable ASCII characters.',
  instance: '/result/%20',
})
@ApiRateLimitedResponse()
@ApiInternalProblemResponse(
  'An unexpected error',
  '/result/265caae7-9b57-43bf-ba0c-01eb3ae21630',
)
@ApiResultBackendUnavailableProblem(
  '/result/265caae7-9b57-43bf-ba0c-01eb3ae21630',
)
export class ResultController {
  constructor(private readonly results: ResultRepository) {}

  @Get('group/:group_id')
  @ApiOperation({ summary: "A group's state and each member's result" })
  @ApiParam({
    name: 'group_id',
    example: '7ced8d75-5b22-4cfd-9ff7-ea29000839af',
  })
  @ApiOkResponse({ type: GroupResultDto, description: 'Every member is done' })
  @ApiAcceptedResponse({
    type: GroupResultDto,
    description: 'Some members are still running',
    example: {
      group_id: '7ced8d75-5b22-4cfd-9ff7-ea29000839af',
      ready: false,
      successful: false,
      completed: 1,
      total: 2,
      results: [
        {
          task_id: 'cd7b86a6-6d9a-4b3e-a769-d56b13d6df5d',
          status: 'STARTED',
          result: null,
        },
        {
          task_id: 'd88ef242-28af-491a-8e13-a017721afb5b',
          status: 'SUCCESS',
          result: 1520,
        },
      ],
    },
  })
  @ApiProblemResponse(HttpStatus.NOT_FOUND, 'No group has this id', {
    code: ProblemCode.NotFound,
    detail:
      'No group with id "7ced8d75-5b22-4cfd-9ff7-ea29000839af" was issued, or its result expired.',
    instance: '/result/group/7ced8d75-5b22-4cfd-9ff7-ea29000839af',
  })
  async group(
    @Param('group_id', TaskIdPipe) groupId: string,
    @Res({ passthrough: true }) response: FastifyReply,
  ): Promise<GroupResultDto> {
    const group = await this.results.getGroup(groupId);
    if (!group) {
      throw notFoundProblem('group', groupId);
    }
    const metas = await this.results.getManyTaskMeta(group.childIds);
    const body = presentGroup(groupId, group.childIds, metas);
    response.status(body.ready ? HttpStatus.OK : HttpStatus.ACCEPTED);
    return body;
  }

  @Get(':task_id')
  @ApiOperation({ summary: "A task's state, and its result once done" })
  @ApiParam({
    name: 'task_id',
    example: '265caae7-9b57-43bf-ba0c-01eb3ae21630',
  })
  @ApiOkResponse({
    type: TaskResultDto,
    description:
      'Done: SUCCESS with its result, or FAILURE / REVOKED with the error',
  })
  @ApiAcceptedResponse({
    type: TaskResultDto,
    description: 'Not done yet: PENDING, RECEIVED, STARTED, PROGRESS or RETRY',
    example: {
      task_id: '265caae7-9b57-43bf-ba0c-01eb3ae21630',
      status: 'STARTED',
      result: null,
    },
  })
  @ApiProblemResponse(HttpStatus.NOT_FOUND, 'Nobody issued this id', {
    code: ProblemCode.NotFound,
    detail:
      'No task with id "265caae7-9b57-43bf-ba0c-01eb3ae21630" was issued, or its result expired.',
    instance: '/result/265caae7-9b57-43bf-ba0c-01eb3ae21630',
  })
  async task(
    @Param('task_id', TaskIdPipe) taskId: string,
    @Res({ passthrough: true }) response: FastifyReply,
  ): Promise<TaskResultDto> {
    const meta = await this.results.getTaskMeta(taskId);
    if (!meta) {
      throw notFoundProblem('task', taskId);
    }
    response.status(statusCodeOf(meta.status));
    return presentTask(taskId, meta);
  }
}
