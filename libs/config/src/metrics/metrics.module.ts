import { type DynamicModule, Global, Module } from '@nestjs/common';
import { collectDefaultMetrics, Registry } from 'prom-client';
import {
  METRICS_EXPOSITION,
  type MetricsExposition,
} from './metrics-exposition';
import { MetricsController } from './metrics.controller';

const REGISTRY = {
  provide: Registry,
  useFactory: (): Registry => {
    const registry = new Registry();
    collectDefaultMetrics({ register: registry });
    return registry;
  },
};

function exposing(expose: (registry: Registry) => MetricsExposition) {
  return {
    provide: METRICS_EXPOSITION,
    inject: [Registry],
    useFactory: expose,
  };
}

function ownRegistry(registry: Registry): MetricsExposition {
  return { metrics: () => registry.metrics() };
}

/**
 * Prometheus metrics for an app: one prom-client `Registry` (inject it by
 * its class to add the app's own metrics), Node's default process metrics,
 * and `GET /metrics` in the text format.
 */
@Global()
@Module({
  controllers: [MetricsController],
  providers: [REGISTRY, exposing(ownRegistry)],
  exports: [Registry],
})
export class MetricsModule {
  /** The same, with GET /metrics answered by `expose(registry)` instead. */
  static exposedBy(
    expose: (registry: Registry) => MetricsExposition,
  ): DynamicModule {
    return {
      module: ExposedMetricsModule,
      global: true,
      controllers: [MetricsController],
      providers: [REGISTRY, exposing(expose)],
      exports: [Registry],
    };
  }
}

/** {@link MetricsModule.exposedBy}'s module: a class of its own, so no provider is declared twice. */
@Module({})
class ExposedMetricsModule {}
