import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  IsInt,
  IsISO8601,
  IsNumber,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  ValidateBy,
} from 'class-validator';
import type { SendTaskOptions } from '@celeriac/tasks';
import { TaskCallDto } from './task-call.dto';

export const YEAR_SECONDS = 366 * 24 * 3600;

/** A concurrency key: at most `limit` tasks with `key` run at once, cluster-wide. */
export class ConcurrencyKeyDto {
  @ApiProperty({ example: 'tenant-a', minLength: 1, maxLength: 200 })
  key: string;

  @ApiProperty({ example: 2, minimum: 1, maximum: 100000 })
  limit: number;
}

// A plain-object check: batch items are validated without class-transformer.
function IsConcurrencyKey() {
  return ValidateBy({
    name: 'isConcurrencyKey',
    validator: {
      validate: (value: unknown) => {
        if (typeof value !== 'object' || value === null) {
          return false;
        }
        const { key, limit, ...rest } = value as Record<string, unknown>;
        return (
          Object.keys(rest).length === 0 &&
          typeof key === 'string' &&
          key.length >= 1 &&
          key.length <= 200 &&
          typeof limit === 'number' &&
          Number.isInteger(limit) &&
          limit >= 1 &&
          limit <= 100000
        );
      },
      defaultMessage: () =>
        'concurrency must be {"key": a string of 1 to 200 characters, "limit": an integer from 1 to 100000}',
    },
  });
}

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

  @ApiPropertyOptional({
    example: '10/s',
    description:
      "This message's rate limit in Celery's syntax (N/s, N/m, N/h, or N per second), counted on its task name's budget (cluster-wide unless RATE_LIMIT_SCOPE=worker); it wins over the task's own. Travels in the x_celeriac_rate_limit header, which Python workers ignore.",
  })
  @IsOptional()
  @IsString()
  @Matches(/^\s*(\d+(\.\d*)?|\.\d+)\s*(\/\s*[smh])?\s*$/, {
    message: 'rate_limit must be N/s, N/m, N/h or a number (per second)',
  })
  rate_limit?: string;

  @ApiPropertyOptional({
    type: ConcurrencyKeyDto,
    description:
      'At most `limit` tasks with this `key` run at once across all celeriac workers; others wait in arrival order without holding up other keys. Travels in the x_celeriac_concurrency_key / _limit headers, which Python workers ignore.',
  })
  @IsOptional()
  @IsConcurrencyKey()
  concurrency?: ConcurrencyKeyDto;
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
    rateLimit: body.rate_limit,
    concurrency: body.concurrency && {
      key: body.concurrency.key,
      limit: body.concurrency.limit,
    },
  };
}
