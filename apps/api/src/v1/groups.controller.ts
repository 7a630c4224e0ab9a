import { Controller, Get, HttpStatus, Param } from '@nestjs/common';
import {
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { ResultRepository } from '@celeriac/results';
import {
  ProblemCode,
  ProblemException,
} from '../problem/problem-details.filter';
import { ProblemDto } from '../problem/problem.dto';
import { ApiKeyAuth } from '../security';
import { GroupResultDto } from '../result/dto/result.dto';
import { presentGroup } from '../result/result.presenter';
import { TaskIdPipe } from '../result/task-id.pipe';

/** A saved group's members and their results. */
@ApiKeyAuth()
@ApiTags('v1 groups')
@Controller('v1/groups')
export class GroupsController {
  constructor(private readonly results: ResultRepository) {}

  @Get(':group_id')
  @ApiOperation({ summary: "A group's members, their states and results" })
  @ApiOkResponse({ type: GroupResultDto })
  @ApiNotFoundResponse({
    type: ProblemDto,
    description: 'No group has this id',
  })
  async get(
    @Param('group_id', TaskIdPipe) groupId: string,
  ): Promise<GroupResultDto> {
    const group = await this.results.getGroup(groupId);
    if (!group) {
      throw new ProblemException(
        HttpStatus.NOT_FOUND,
        ProblemCode.NotFound,
        `No group with id ${JSON.stringify(groupId)} was saved, or it expired.`,
      );
    }
    const metas = await this.results.getManyTaskMeta(group.childIds);
    return presentGroup(groupId, group.childIds, metas);
  }
}
