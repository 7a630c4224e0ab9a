import { TaskState } from '@celeriac/results';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsOptional } from 'class-validator';
import { TaskErrorDto } from '../../result/dto/result.dto';

/** `GET /v1/tasks/{id}`: a task's state with Celery's extended meta. */
export class TaskViewDto {
  @ApiProperty({ example: '265caae7-9b57-43bf-ba0c-01eb3ae21630' })
  task_id: string;

  @ApiProperty({
    example: 'SUCCESS',
    enum: Object.values(TaskState),
  })
  status: string;

  @ApiProperty({ example: true, description: 'SUCCESS, FAILURE or REVOKED' })
  ready: boolean;

  @ApiProperty({
    example: 5,
    nullable: true,
    description: 'The return value once SUCCESS',
  })
  result: unknown;

  @ApiPropertyOptional({ type: TaskErrorDto })
  error?: TaskErrorDto;

  @ApiPropertyOptional({ nullable: true, example: null })
  traceback?: string | null;

  @ApiPropertyOptional({ example: { current: 5, total: 20 } })
  progress?: unknown;

  @ApiPropertyOptional({ example: 'add_task' })
  name?: string;

  @ApiPropertyOptional({ example: [2, 3] })
  args?: unknown[];

  @ApiPropertyOptional({ example: {} })
  kwargs?: Record<string, unknown>;

  @ApiPropertyOptional({ example: 'celeriac@host' })
  worker?: string;

  @ApiPropertyOptional({ example: 0 })
  retries?: number;

  @ApiProperty({ example: '2026-11-24T01:00:00.123000', nullable: true })
  date_done: string | null;

  @ApiPropertyOptional({ example: null, nullable: true })
  parent_id?: string | null;

  @ApiPropertyOptional({ example: null, nullable: true })
  group_id?: string | null;

  @ApiProperty({
    type: [String],
    example: [],
    description: 'Tasks it started (chain step, ...)',
  })
  children: string[];
}

/** One registered task. */
export class RegisteredTaskDto {
  @ApiProperty({ example: 'add_task' })
  name: string;

  @ApiProperty({ example: 'default-sum' })
  queue: string;

  @ApiProperty({ example: ['a', 'b'], type: [String] })
  params: string[];

  @ApiPropertyOptional({ example: 'a + b (20 s)' })
  description?: string;
}

/** `POST /v1/tasks/{id}/revoke`. */
export class RevokeTaskDto {
  @ApiPropertyOptional({
    example: false,
    description: 'Also stop it if it is running',
  })
  @IsOptional()
  @IsBoolean()
  terminate?: boolean;
}

/** `202` of a revoke. */
export class TaskRevokedDto {
  @ApiProperty({ example: '265caae7-9b57-43bf-ba0c-01eb3ae21630' })
  task_id: string;

  @ApiProperty({ example: true })
  revoked: boolean;

  @ApiProperty({ example: false })
  terminate: boolean;
}
