import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  IsInt,
  IsISO8601,
  IsNumber,
  IsOptional,
  Max,
  Min,
} from 'class-validator';
import type { SendTaskOptions } from '@celeriac/tasks';
import { TaskCallDto } from './task-call.dto';

export const YEAR_SECONDS = 366 * 24 * 3600;

/** `POST /v1/tasks`: Celery's `send_task` with its execution options. */
export class SubmitTaskDto extends TaskCallDto {
  @ApiPropertyOptional({
    example: 10,
    description: 'Seconds before it may run',
  })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(YEAR_SECONDS)
  countdown?: number;

  @ApiPropertyOptional({
    example: '2026-12-01T12:00:00Z',
    description: 'When it may run (ISO 8601)',
  })
  @IsOptional()
  @IsISO8601({ strict: true })
  eta?: string;

  @ApiPropertyOptional({
    example: 3600,
    description: 'Seconds from now after which it is REVOKED instead of run',
  })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(YEAR_SECONDS)
  expires?: number;

  @ApiPropertyOptional({ example: 0, minimum: 0, maximum: 255 })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(255)
  priority?: number;

  @ApiPropertyOptional({ example: 3, description: 'Retries before FAILURE' })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(1000)
  max_retries?: number;

  @ApiPropertyOptional({
    example: 1200,
    description: 'Hard time limit, seconds',
  })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0.001)
  @Max(YEAR_SECONDS)
  time_limit?: number;

  @ApiPropertyOptional({
    example: 600,
    description: 'Soft time limit, seconds',
  })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0.001)
  @Max(YEAR_SECONDS)
  soft_time_limit?: number;
}

/** `202` of a submission. */
export class TaskSubmittedDto {
  @ApiProperty({ example: '265caae7-9b57-43bf-ba0c-01eb3ae21630' })
  task_id: string;

  @ApiProperty({ example: '/v1/tasks/265caae7-9b57-43bf-ba0c-01eb3ae21630' })
  status_url: string;
}

/** A `POST /v1/tasks` body as TaskProducer's options. */
export function sendTaskOptionsOf(body: SubmitTaskDto): SendTaskOptions {
  return {
    args: body.args ?? [],
    kwargs: body.kwargs ?? {},
    queue: body.queue,
    countdown: body.countdown,
    eta: body.eta === undefined ? undefined : new Date(body.eta),
    expires: body.expires,
    priority: body.priority,
    maxRetries: body.max_retries,
    timeLimit: body.time_limit,
    softTimeLimit: body.soft_time_limit,
  };
}
