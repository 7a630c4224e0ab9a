import { OTLPTraceExporter as OtlpJsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as OtlpProtobufExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import {
  defaultResource,
  detectResources,
  envDetector,
  resourceFromAttributes,
} from '@opentelemetry/resources';
import {
  BatchSpanProcessor,
  NodeTracerProvider,
} from '@opentelemetry/sdk-trace-node';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import type { TracingSettings } from './tracing-env';

/**
 * The SDK, loaded only when tracing is on (start-tracing imports this file
 * lazily): an OTLP/HTTP exporter behind a batch processor, both configured
 * by the standard OTEL_* variables (endpoint, headers, timeout, OTEL_BSP_*,
 * OTEL_TRACES_SAMPLER), registered as the global provider with the W3C
 * trace-context and baggage propagators and an AsyncLocalStorage context.
 *
 * @returns what flushes and stops it
 */
export function registerTracerProvider(settings: TracingSettings): {
  shutdown(): Promise<void>;
} {
  const exporter =
    settings.protocol === 'http/json'
      ? new OtlpJsonExporter()
      : new OtlpProtobufExporter();
  // Later resources win: OTEL_SERVICE_NAME / OTEL_RESOURCE_ATTRIBUTES over the app's name.
  const resource = defaultResource()
    .merge(
      resourceFromAttributes({
        [ATTR_SERVICE_NAME]: settings.defaultServiceName,
      }),
    )
    .merge(detectResources({ detectors: [envDetector] }));
  const provider = new NodeTracerProvider({
    resource,
    spanProcessors: [new BatchSpanProcessor(exporter)],
  });
  provider.register();
  return provider;
}
