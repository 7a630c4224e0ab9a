import { Controller, Get, Res } from '@nestjs/common';
import type { Response } from 'express';
import { FlowerMetrics } from './flower-metrics';

/** `GET /metrics`: Flower's metrics in Prometheus text format. */
@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: FlowerMetrics) {}

  @Get()
  async scrape(@Res() response: Response): Promise<void> {
    response
      .set('Content-Type', this.metrics.contentType)
      .send(await this.metrics.text());
  }
}
