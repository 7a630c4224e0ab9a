import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMinSize, IsArray, IsBoolean, IsOptional } from 'class-validator';
import { FieldErrorDto } from '../../problem/problem.dto';
import { SubmitTaskDto } from './submit-task.dto';

/** Most tasks one `POST /v1/tasks/batch` may carry. */
export const MAX_BATCH_TASKS = 1000;

/** `POST /v1/tasks/batch`: many `POST /v1/tasks` bodies at once. */
export class SubmitBatchDto {
  // Only the list is checked here: each item is validated on its own, so a
  // bad one gets its own error instead of failing the whole batch.
  @ApiProperty({
    type: [SubmitTaskDto],
    minItems: 1,
    maxItems: MAX_BATCH_TASKS,
    description: `1 to ${MAX_BATCH_TASKS} tasks, each a POST /v1/tasks body`,
    example: [
      { task: 'add_task', args: [2, 3] },
      { task: 'add_task', args: [4, 5], countdown: 10, queue: 'default-sum' },
    ],
  })
  @IsArray()
  @ArrayMinSize(1)
  tasks: unknown[];

  @ApiPropertyOptional({
    example: false,
    default: false,
    description:
      'true: any refused task refuses the whole batch (422) and nothing is sent',
  })
  @IsOptional()
  @IsBoolean()
  atomic?: boolean;
}

/** Why one task of a batch was refused: a problem entry without type or instance. */
export class BatchItemErrorDto {
  @ApiProperty({ example: 400 })
  status: number;

  @ApiProperty({ example: 'VALIDATION_FAILED' })
  code: string;

  @ApiProperty({ example: 'The task has invalid fields.' })
  detail: string;

  @ApiPropertyOptional({ type: [FieldErrorDto] })
  errors?: FieldErrorDto[];
}

/** One task of a batch: its id when sent, its error when refused. */
export class BatchItemResultDto {
  @ApiProperty({ example: 0, description: 'Its position in `tasks`' })
  index: number;

  @ApiPropertyOptional({ example: '265caae7-9b57-43bf-ba0c-01eb3ae21630' })
  task_id?: string;

  @ApiPropertyOptional({
    example: '/v1/tasks/265caae7-9b57-43bf-ba0c-01eb3ae21630',
  })
  status_url?: string;

  @ApiPropertyOptional({ type: BatchItemErrorDto })
  error?: BatchItemErrorDto;
}

/** `202`/`207` of a batch: one result per task, in order. */
export class BatchSubmittedDto {
  @ApiProperty({ type: [BatchItemResultDto] })
  results: BatchItemResultDto[];
}
