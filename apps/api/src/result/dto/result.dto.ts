import { TaskState } from '@celeriac/results';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** How a failed or revoked task failed. */
export class TaskErrorDto {
  @ApiProperty({ example: 'ZeroDivisionError' })
  type: string;

  @ApiProperty({ example: 'division by zero' })
  message: string;
}

/** `GET /result/{task_id}`. */
export class TaskResultDto {
  @ApiProperty({ example: '265caae7-9b57-43bf-ba0c-01eb3ae21630' })
  task_id: string;

  @ApiProperty({
    enum: Object.values(TaskState),
    example: 'SUCCESS',
  })
  status: string;

  @ApiProperty({
    description: 'The return value once SUCCESS, else null',
    example: 68,
    nullable: true,
  })
  result: unknown;

  @ApiPropertyOptional({
    type: TaskErrorDto,
    description: 'On FAILURE and REVOKED',
  })
  error?: TaskErrorDto;

  @ApiPropertyOptional({
    description: 'On FAILURE',
    nullable: true,
    example: 'Traceback ...',
  })
  traceback?: string | null;

  @ApiPropertyOptional({
    description: "On PROGRESS: the task's meta",
    example: { current: 5, total: 20 },
  })
  progress?: unknown;
}

/** One member of a group. */
export class GroupMemberResultDto {
  @ApiProperty({ example: 'cd7b86a6-6d9a-4b3e-a769-d56b13d6df5d' })
  task_id: string;

  @ApiProperty({ example: 'SUCCESS' })
  status: string;

  @ApiProperty({ example: 96, nullable: true })
  result: unknown;
}

/** `GET /result/group/{group_id}`. */
export class GroupResultDto {
  @ApiProperty({ example: '7ced8d75-5b22-4cfd-9ff7-ea29000839af' })
  group_id: string;

  @ApiProperty({ description: 'Every member has finished', example: true })
  ready: boolean;

  @ApiProperty({ description: 'Every member succeeded', example: true })
  successful: boolean;

  @ApiProperty({ description: 'Members that succeeded', example: 2 })
  completed: number;

  @ApiProperty({ example: 2 })
  total: number;

  @ApiProperty({ type: [GroupMemberResultDto] })
  results: GroupMemberResultDto[];
}
