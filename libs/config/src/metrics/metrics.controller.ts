import { Controller, Get, Header, Inject } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { Registry } from 'prom-client';
import {
  METRICS_EXPOSITION,
  type MetricsExposition,
} from './metrics-exposition';

/** Prometheus' scrape target; open like /health, and not in the OpenAPI document. */
@ApiExcludeController()
@Controller('metrics')
export class MetricsController {
  constructor(
    @Inject(METRICS_EXPOSITION) private readonly exposition: MetricsExposition,
  ) {}

  @Get()
  @Header('Content-Type', Registry.PROMETHEUS_CONTENT_TYPE)
  @Header('Cache-Control', 'no-store')
  metrics(): Promise<string> {
    return this.exposition.metrics();
  }
}
