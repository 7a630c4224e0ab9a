import { Controller, Get, HttpStatus, Param } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ResultRepository } from '@celeriac/results';
import { notFoundProblem } from '../problem/common.problems';
import { ProblemCode } from '../problem/problem-details.filter';
import {
  ApiInternalProblemResponse,
  ApiProblemResponse,
} from '../problem/api-problem-response';
import { ApiResultBackendUnavailableProblem } from '../problem/dependency.problems';
import { ApiKeyAuth } from '../security';
import { GroupResultDto } from '../result/dto/result.dto';
import { presentGroup } from '../result/result.presenter';
import { TaskIdPipe } from '../result/task-id.pipe';

/** A saved group's members and their results. */
@ApiKeyAuth()
@ApiTags('v1 groups')
@Controller('v1/groups')
@ApiInternalProblemResponse(
  'An unexpected error',
  '/v1/groups/7ced8d75-5b22-4cfd-9ff7-ea29000839af',
)
@ApiResultBackendUnavailableProblem(
  '/v1/groups/7ced8d75-5b22-4cfd-9ff7-ea29000839af',
)
export class GroupsController {
  constructor(private readonly results: ResultRepository) {}

  @Get(':group_id')
  @ApiOperation({ summary: "A group's members, their states and results" })
  @ApiOkResponse({
    type: GroupResultDto,
    description: 'Its members, done or not',
  })
  @ApiProblemResponse(HttpStatus.BAD_REQUEST, 'The id cannot be a group id', {
    code: ProblemCode.ValidationFailed,
    detail: 'An id is 1 to 255 printable ASCII characters.',
    instance: '/v1/groups/%20',
  })
  @ApiProblemResponse(HttpStatus.NOT_FOUND, 'No group has this id', {
    code: ProblemCode.NotFound,
    detail:
      'No group with id "7ced8d75-5b22-4cfd-9ff7-ea29000839af" was issued, or its result expired.',
    instance: '/v1/groups/7ced8d75-5b22-4cfd-9ff7-ea29000839af',
  })
  async get(
    @Param('group_id', TaskIdPipe) groupId: string,
  ): Promise<GroupResultDto> {
    const group = await this.results.getGroup(groupId);
    if (!group) {
      throw notFoundProblem('group', groupId);
    }
    const metas = await this.results.getManyTaskMeta(group.childIds);
    return presentGroup(groupId, group.childIds, metas);
  }
}
