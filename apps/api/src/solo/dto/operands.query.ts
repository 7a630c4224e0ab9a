import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';

// Python's ints are unbounded; JSON numbers are exact only to 2^53.
const LIMIT = Number.MAX_SAFE_INTEGER;

/** `?a=&b=` of the seed endpoints; random 1..100 when absent, as in the seed. */
export class OperandsQuery {
  @ApiPropertyOptional({
    description: 'First operand (default: random 1..100)',
    example: 3,
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(-LIMIT)
  @Max(LIMIT)
  a?: number;

  @ApiPropertyOptional({
    description: 'Second operand (default: random 1..100)',
    example: 4,
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(-LIMIT)
  @Max(LIMIT)
  b?: number;
}
