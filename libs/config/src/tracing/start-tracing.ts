import { type Tracer, trace } from '@opentelemetry/api';
import { readTracingSettings } from './tracing-env';

// Set once the SDK is registered; every span helper checks it first, so with
// tracing off the hot path pays one boolean test and loads no SDK code.
let provider: { shutdown(): Promise<void> } | undefined;

/** The instrumentation scope of every celeriac span. */
export const TRACER_NAME = 'celeriac';

/**
 * Starts the OpenTelemetry SDK when the OTEL_* variables ask for it (see
 * {@link readTracingSettings}); call it first thing in an app's main, before
 * any span could start. With tracing off it does nothing: no SDK module is
 * loaded and the API stays the no-op one.
 *
 * @param defaultServiceName - `service.name` unless OTEL_SERVICE_NAME is set
 * @returns whether tracing is on
 * @throws ConfigValidationError when an OTEL_* variable is invalid
 */
export async function startTracing(
  defaultServiceName: string,
  env: Record<string, string | undefined> = process.env,
): Promise<boolean> {
  const settings = readTracingSettings(env, defaultServiceName);
  if (!settings || provider) {
    return provider !== undefined;
  }
  const { registerTracerProvider } = await import('./tracing-sdk.js');
  provider = registerTracerProvider(settings);
  return true;
}

/** Whether {@link startTracing} registered the SDK. */
export function tracingEnabled(): boolean {
  return provider !== undefined;
}

/** Exports the spans still buffered and stops the SDK (a warm shutdown calls it). */
export async function shutdownTracing(): Promise<void> {
  const stopping = provider;
  provider = undefined;
  trace.disable();
  await stopping?.shutdown();
}

/** The tracer celeriac's spans start from. */
export function celeriacTracer(): Tracer {
  return trace.getTracer(TRACER_NAME);
}
