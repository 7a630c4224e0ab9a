import { Controller, Get, HttpStatus } from '@nestjs/common';
import {
  ApiExtraModels,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { HealthCheck, HealthCheckService } from '@nestjs/terminus';
import { BrokerHealthIndicator, CeleryClient } from '@celeriac/broker';
import { RedisHealthIndicator } from '@celeriac/results';
import { ApiProblemResponse } from '../problem/api-problem-response';
import { ProblemCode } from '../problem/problem-details.filter';
import { HealthCheckDto, HealthIndicatorDto } from './health-check.dto';

// Terminus documents its own body only where it can require() @nestjs/swagger,
// and a 503 body the api never sends (ProblemDetailsFilter answers it with a
// NOT_READY problem): these routes document themselves, alike everywhere.
const HEALTH_CHECK = { noCache: true, swaggerDocumentation: false };

/** Terminus probes: live = the process answers; ready = RabbitMQ and Redis are reachable. */
@ApiTags('health')
@ApiExtraModels(HealthIndicatorDto)
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly broker: BrokerHealthIndicator,
    private readonly client: CeleryClient,
    private readonly redis: RedisHealthIndicator,
  ) {}

  @Get('live')
  @HealthCheck(HEALTH_CHECK)
  @ApiOperation({ summary: 'Liveness: the process is up' })
  @ApiOkResponse({
    type: HealthCheckDto,
    description: 'The process answers; it checks nothing else',
    example: { status: 'ok', info: {}, error: {}, details: {} },
  })
  live() {
    return this.health.check([]);
  }

  @Get('ready')
  @HealthCheck(HEALTH_CHECK)
  @ApiOperation({ summary: 'Readiness: RabbitMQ and Redis are reachable' })
  @ApiOkResponse({
    type: HealthCheckDto,
    description: 'RabbitMQ and Redis are up',
  })
  @ApiProblemResponse(
    HttpStatus.SERVICE_UNAVAILABLE,
    'RabbitMQ or Redis is down',
    {
      code: ProblemCode.NotReady,
      detail: 'Not ready: redis is down.',
      instance: '/health/ready',
      checks: { rabbitmq: { status: 'up' }, redis: { status: 'down' } },
    },
  )
  ready() {
    return this.health.check([
      () => this.broker.isConnected('rabbitmq', this.client),
      () => this.redis.pingCheck('redis'),
    ]);
  }
}
