import {
  ApiProperty,
  ApiPropertyOptional,
  getSchemaPath,
} from '@nestjs/swagger';

/** One Terminus indicator: `rabbitmq`, `redis`. */
export class HealthIndicatorDto {
  @ApiProperty({ enum: ['up', 'down'], example: 'up' })
  status: string;

  @ApiPropertyOptional({
    description: 'Why it is down',
    example: 'not connected to RabbitMQ',
  })
  message?: string;
}

// Terminus keys its indicators by name; each value is one indicator.
const INDICATORS = {
  type: 'object',
  additionalProperties: { $ref: getSchemaPath(HealthIndicatorDto) },
} as const;

/** The body of a passing Terminus health check. */
export class HealthCheckDto {
  @ApiProperty({ enum: ['ok'], example: 'ok' })
  status: string;

  @ApiProperty({
    ...INDICATORS,
    description: 'The indicators that are up',
    example: { rabbitmq: { status: 'up' }, redis: { status: 'up' } },
  })
  info: Record<string, HealthIndicatorDto>;

  @ApiProperty({
    ...INDICATORS,
    description: 'The indicators that are down: none in a 200',
    example: {},
  })
  error: Record<string, HealthIndicatorDto>;

  @ApiProperty({
    ...INDICATORS,
    description: 'Every indicator',
    example: { rabbitmq: { status: 'up' }, redis: { status: 'up' } },
  })
  details: Record<string, HealthIndicatorDto>;
}
