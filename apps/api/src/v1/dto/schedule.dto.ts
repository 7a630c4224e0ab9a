import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  IsNumber,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
} from 'class-validator';
import { SCHEDULE_NAME_PATTERN } from '@celeriac/schedule';
import { TaskCallDto } from './task-call.dto';

const YEAR_SECONDS = 366 * 24 * 3600;

/** `PUT /v1/schedules/{name}`: what a periodic schedule runs, and when. */
export class ScheduleBodyDto extends TaskCallDto {
  @ApiPropertyOptional({
    example: 30,
    description: 'Seconds between runs; give this or cron',
  })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0.001)
  @Max(YEAR_SECONDS)
  every?: number;

  @ApiPropertyOptional({
    example: '0 3 * * *',
    description:
      'Cron expression, 5 fields (or 6, seconds first); give this or every',
  })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  cron?: string;

  @ApiPropertyOptional({
    example: 'Europe/Paris',
    description: 'IANA time zone of the cron; UTC by default',
  })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  timezone?: string;
}

/** `POST /v1/schedules`: a named periodic schedule. */
export class CreateScheduleDto extends ScheduleBodyDto {
  @ApiProperty({
    example: 'nightly-add',
    description: 'Unique name: letters, digits, _ . @ - (no colon)',
  })
  @IsString()
  @Matches(SCHEDULE_NAME_PATTERN, {
    message: 'name must be 1 to 200 letters, digits or _ . @ - (no colon)',
  })
  name: string;
}

/** A stored schedule, as the api answers it. */
export class ScheduleDto {
  @ApiProperty({ example: 'nightly-add' })
  name: string;

  @ApiProperty({ example: 'add_task' })
  task: string;

  @ApiProperty({ example: [2, 3] })
  args: unknown[];

  @ApiProperty({ example: {} })
  kwargs: Record<string, unknown>;

  @ApiPropertyOptional({ example: 'default-sum' })
  queue?: string;

  @ApiPropertyOptional({ example: 30, description: 'Seconds between runs' })
  every?: number;

  @ApiPropertyOptional({ example: '0 3 * * *' })
  cron?: string;

  @ApiPropertyOptional({ example: 'Europe/Paris' })
  timezone?: string;

  @ApiProperty({
    example: 'api',
    enum: ['api', 'file'],
    description: 'Made through the api, or loaded from BEAT_SCHEDULE_FILE',
  })
  source: string;

  @ApiProperty({
    example: '2026-11-25T02:00:00.000Z',
    nullable: true,
    description: 'When it runs next',
  })
  next_run_at: string | null;
}
