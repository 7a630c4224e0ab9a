import { Controller, Get, HttpStatus, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { randomInt } from 'node:crypto';
import { signature, TaskProducer } from '@celeriac/tasks';
import {
  ApiInternalProblemResponse,
  ApiProblemResponse,
} from '../problem/api-problem-response';
import { ApiPublishUnavailableProblems } from '../problem/dependency.problems';
import { ProblemCode } from '../problem/problem-details.filter';
import { ApiRateLimitedResponse } from '../security';
import { OperandsQuery } from './dto/operands.query';
import {
  AddPublishedDto,
  ChainPublishedDto,
  GroupPublishedDto,
} from './dto/solo-responses.dto';

/** The seed's demo endpoints: one task, a chain and a group. */
@ApiTags('seed')
@Controller('solo')
@ApiProblemResponse(HttpStatus.BAD_REQUEST, 'a or b is not an integer', {
  code: ProblemCode.ValidationFailed,
  detail: 'The request has invalid fields.',
  instance: '/solo/add?a=x',
  errors: [{ field: 'a', message: 'a must be an integer number' }],
})
@ApiRateLimitedResponse()
@ApiInternalProblemResponse('An unexpected error', '/solo/add')
@ApiPublishUnavailableProblems('/solo/add')
export class SoloController {
  constructor(private readonly producer: TaskProducer) {}

  @Get('add')
  @ApiOperation({ summary: 'Publish add_task(a, b) (20 s)' })
  @ApiOkResponse({ type: AddPublishedDto, description: 'Published' })
  async add(@Query() query: OperandsQuery): Promise<AddPublishedDto> {
    const { a, b } = operands(query);
    const { taskId } = await this.producer.sendTask('add_task', {
      args: [a, b],
    });
    return {
      message: `celeriac : a=${a}, b=${b} Published to the queue`,
      task_id: taskId,
    };
  }

  @Get('chain')
  @ApiOperation({
    summary:
      'Chain add_task(a, b) | sum_multiply_task(a, b): ends with [(a+b)*a, (a+b)*b]',
  })
  @ApiOkResponse({
    type: ChainPublishedDto,
    description: "Published; task_id is the chain's last task",
  })
  async chain(@Query() query: OperandsQuery): Promise<ChainPublishedDto> {
    const { a, b } = operands(query);
    const { taskId } = await this.producer.applyChain([
      signature('add_task', [a, b]),
      signature('sum_multiply_task', [a, b]),
    ]);
    return { message: 'Chain task result', task_id: taskId, status_code: 200 };
  }

  @Get('group')
  @ApiOperation({
    summary: 'Group add_task(a, b) and multi_task(a, b): ends with [a+b, a*b]',
  })
  @ApiOkResponse({
    type: GroupPublishedDto,
    description: 'Published and the group saved',
  })
  async group(@Query() query: OperandsQuery): Promise<GroupPublishedDto> {
    const { a, b } = operands(query);
    const { groupId, taskIds } = await this.producer.applyGroup([
      signature('add_task', [a, b]),
      signature('multi_task', [a, b]),
    ]);
    return {
      message: `Group task submitted : a = ${a}, b = ${b}`,
      group_id: groupId,
      individual_tasks: taskIds,
      check_result_url: `/result/group/${groupId}`,
    };
  }
}

function operands(query: OperandsQuery): { a: number; b: number } {
  return { a: query.a ?? randomInt(1, 101), b: query.b ?? randomInt(1, 101) };
}
