import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  IsArray,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
} from 'class-validator';

/** Task and queue names as Celery allows them in practice. */
export const NAME_PATTERN = /^[A-Za-z0-9_.:@-]+$/;

/**
 * What to run and where: a task name, its arguments and its queue. The
 * body of `POST /v1/tasks` and of a periodic schedule both start with it.
 */
export class TaskCallDto {
  @ApiProperty({ example: 'add_task', description: 'The registered task name' })
  @IsString()
  @MaxLength(255)
  @Matches(NAME_PATTERN, {
    message: 'task must be a task name (letters, digits, _ . : @ -)',
  })
  task: string;

  @ApiPropertyOptional({ example: [2, 3], description: 'Positional arguments' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(10_000)
  args?: unknown[];

  @ApiPropertyOptional({ example: {}, description: 'Keyword arguments' })
  @IsOptional()
  @IsObject()
  kwargs?: Record<string, unknown>;

  @ApiPropertyOptional({
    example: 'default-sum',
    description: "Queue; default: the task's, else TASK_DEFAULT_QUEUE",
  })
  @IsOptional()
  @IsString()
  @MaxLength(255)
  @Matches(NAME_PATTERN, { message: 'queue must be a queue name' })
  queue?: string;
}
