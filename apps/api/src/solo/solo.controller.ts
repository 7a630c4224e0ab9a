import { Controller, Get, Query } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiInternalServerErrorResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { randomInt } from 'node:crypto';
import { signature, TaskProducer } from '@celeriac/tasks';
import { ProblemDto } from '../problem/problem.dto';
import { OperandsQuery } from './dto/operands.query';
import {
  AddPublishedDto,
  ChainPublishedDto,
  GroupPublishedDto,
} from './dto/solo-responses.dto';

/** The seed's demo endpoints: one task, a chain and a group. */
@ApiTags('seed')
@Controller('solo')
@ApiBadRequestResponse({
  type: ProblemDto,
  description: 'a or b is not an integer',
})
@ApiInternalServerErrorResponse({
  type: ProblemDto,
  description: 'The broker or Redis cannot take the task',
})
export class SoloController {
  constructor(private readonly producer: TaskProducer) {}

  @Get('add')
  @ApiOperation({ summary: 'Publish add_task(a, b) (20 s)' })
  @ApiOkResponse({ type: AddPublishedDto })
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
  @ApiOkResponse({ type: ChainPublishedDto })
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
  @ApiOkResponse({ type: GroupPublishedDto })
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
