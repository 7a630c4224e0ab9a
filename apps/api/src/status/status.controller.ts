import { Controller, Get } from '@nestjs/common';
import {
  ApiOkResponse,
  ApiOperation,
  ApiProperty,
  ApiTags,
} from '@nestjs/swagger';
import { ApiRateLimitedResponse } from '../security';

/** `GET /`. */
export class StatusDto {
  @ApiProperty({ example: 'celeriac api is running' })
  message: string;

  @ApiProperty({ example: 'ok' })
  status: string;
}

/** The seed's status check. */
@ApiTags('seed')
@Controller()
export class StatusController {
  @Get()
  @ApiOperation({ summary: 'Status check' })
  @ApiOkResponse({ type: StatusDto, description: 'The api is running' })
  @ApiRateLimitedResponse()
  status(): StatusDto {
    return { message: 'celeriac api is running', status: 'ok' };
  }
}
