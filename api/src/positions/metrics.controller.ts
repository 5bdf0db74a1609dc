import { Controller, Get, Header, Inject } from '@nestjs/common';
import { IngestionMetrics } from './ingestion-metrics.js';

@Controller('metrics')
export class MetricsController {
  constructor(@Inject(IngestionMetrics) private readonly metrics: IngestionMetrics) {}

  @Get()
  @Header('Content-Type', 'text/plain; version=0.0.4')
  metricsText() {
    return this.metrics.prometheus();
  }
}
