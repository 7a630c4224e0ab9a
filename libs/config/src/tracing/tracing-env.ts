import { ConfigValidationError } from '../config-validation.error';

/** The OTLP encodings the apps export traces in (no gRPC). */
export const OTLP_PROTOCOLS = ['http/protobuf', 'http/json'] as const;
export type OtlpProtocol = (typeof OTLP_PROTOCOLS)[number];

const SAMPLERS = [
  'always_on',
  'always_off',
  'traceidratio',
  'parentbased_always_on',
  'parentbased_always_off',
  'parentbased_traceidratio',
];
const BSP_VARIABLES = [
  'OTEL_BSP_SCHEDULE_DELAY',
  'OTEL_BSP_EXPORT_TIMEOUT',
  'OTEL_BSP_MAX_QUEUE_SIZE',
  'OTEL_BSP_MAX_EXPORT_BATCH_SIZE',
];

/**
 * The OTEL_* variables celeriac documents (README, .env.example); the SDK
 * reads them itself, and these few more (OTEL_EXPORTER_OTLP_HEADERS, ...).
 */
export const TRACING_VARIABLES = [
  'OTEL_EXPORTER_OTLP_ENDPOINT',
  'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT',
  'OTEL_EXPORTER_OTLP_PROTOCOL',
  'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL',
  'OTEL_SERVICE_NAME',
  'OTEL_TRACES_SAMPLER',
  'OTEL_TRACES_SAMPLER_ARG',
  'OTEL_SDK_DISABLED',
  'OTEL_TRACES_EXPORTER',
  ...BSP_VARIABLES,
] as const;

/** What starting the SDK needs; the exporter reads its own endpoint variables. */
export interface TracingSettings {
  protocol: OtlpProtocol;
  /** OTEL_SERVICE_NAME overrides it (through the SDK's env detector). */
  defaultServiceName: string;
}

type Env = Record<string, string | undefined>;

/**
 * Tracing is on when an OTLP endpoint is set (OTEL_EXPORTER_OTLP_ENDPOINT or
 * OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) and not switched off by
 * OTEL_SDK_DISABLED=true or OTEL_TRACES_EXPORTER=none. The SDK would only
 * log (and ignore) a bad value, so the ones it would ignore stop the start
 * here, as every other config error does.
 *
 * @returns the settings, or undefined when tracing is off
 * @throws ConfigValidationError naming each bad variable
 */
export function readTracingSettings(
  env: Env,
  defaultServiceName: string,
): TracingSettings | undefined {
  const endpoint =
    nonEmpty(env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) ??
    nonEmpty(env.OTEL_EXPORTER_OTLP_ENDPOINT);
  if (
    endpoint === undefined ||
    env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true' ||
    env.OTEL_TRACES_EXPORTER?.trim().toLowerCase() === 'none'
  ) {
    return undefined;
  }
  const problems: string[] = [];
  for (const name of [
    'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT',
    'OTEL_EXPORTER_OTLP_ENDPOINT',
  ]) {
    const value = nonEmpty(env[name]);
    if (value !== undefined && !isHttpUrl(value)) {
      problems.push(`${name} must be an http:// or https:// URL`);
    }
  }
  const protocol =
    nonEmpty(env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL) ??
    nonEmpty(env.OTEL_EXPORTER_OTLP_PROTOCOL) ??
    'http/protobuf';
  if (!(OTLP_PROTOCOLS as readonly string[]).includes(protocol)) {
    problems.push(
      `OTEL_EXPORTER_OTLP_PROTOCOL must be one of ${OTLP_PROTOCOLS.join(', ')} (grpc is not supported)`,
    );
  }
  const exporter = nonEmpty(env.OTEL_TRACES_EXPORTER);
  if (exporter !== undefined && exporter !== 'otlp') {
    problems.push('OTEL_TRACES_EXPORTER must be otlp or none');
  }
  const sampler = nonEmpty(env.OTEL_TRACES_SAMPLER);
  if (sampler !== undefined && !SAMPLERS.includes(sampler)) {
    problems.push(`OTEL_TRACES_SAMPLER must be one of ${SAMPLERS.join(', ')}`);
  }
  const ratio = nonEmpty(env.OTEL_TRACES_SAMPLER_ARG);
  if (ratio !== undefined && !(Number(ratio) >= 0 && Number(ratio) <= 1)) {
    problems.push('OTEL_TRACES_SAMPLER_ARG must be a number from 0 to 1');
  }
  for (const name of BSP_VARIABLES) {
    const value = nonEmpty(env[name]);
    if (value !== undefined && !/^[1-9]\d*$/.test(value)) {
      problems.push(`${name} must be a positive integer`);
    }
  }
  if (problems.length > 0) {
    throw new ConfigValidationError(problems);
  }
  return { protocol: protocol as OtlpProtocol, defaultServiceName };
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}

function isHttpUrl(value: string): boolean {
  try {
    const { protocol } = new URL(value);
    return protocol === 'http:' || protocol === 'https:';
  } catch {
    return false;
  }
}
