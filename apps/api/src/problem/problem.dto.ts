import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

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
}
