import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { DependencyCheck } from '@celeriac/config';

/** One invalid field of a request. */
export class FieldErrorDto {
  @ApiProperty({ example: 'a' })
  field: string;

  @ApiProperty({ example: 'a must be an integer number' })
  message: string;
}

/** An RFC 9457 problem body: what went wrong, for any 4xx or 5xx. */
export class ProblemDto {
  @ApiProperty({ example: 'about:blank' })
  type: string;

  @ApiProperty({ example: 'Bad Request' })
  title: string;

  @ApiProperty({ example: 400 })
  status: number;

  @ApiProperty({ example: 'The request has invalid fields.' })
  detail: string;

  @ApiProperty({ example: '/solo/add?a=x' })
  instance: string;

  @ApiProperty({ example: 'VALIDATION_FAILED' })
  code: string;

  @ApiPropertyOptional({ type: [FieldErrorDto] })
  errors?: FieldErrorDto[];

  @ApiPropertyOptional({
    description:
      'A failed readiness check (NOT_READY): each dependency and whether it is up',
    type: 'object',
    additionalProperties: {
      type: 'object',
      properties: { status: { type: 'string', enum: ['up', 'down'] } },
      required: ['status'],
    },
    example: { rabbitmq: { status: 'up' }, redis: { status: 'down' } },
  })
  checks?: Record<string, DependencyCheck>;
}
