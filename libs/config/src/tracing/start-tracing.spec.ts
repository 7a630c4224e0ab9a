import { SpanKind, trace } from '@opentelemetry/api';
import { OtlpReceiver } from '../../../../test/utils/otlp-receiver';
import { ConfigValidationError } from '../config-validation.error';
import { inSpan } from './span-helpers';
import { shutdownTracing, startTracing, tracingEnabled } from './start-tracing';
import { traceLogFields } from './trace-log-fields';
import { readTracingSettings } from './tracing-env';

const OTEL_VARIABLES = [
  'OTEL_EXPORTER_OTLP_ENDPOINT',
  'OTEL_EXPORTER_OTLP_PROTOCOL',
  'OTEL_SERVICE_NAME',
  'OTEL_BSP_SCHEDULE_DELAY',
];

describe('tracing start-up', () => {
  let receiver: OtlpReceiver;
  const saved = OTEL_VARIABLES.map((name) => [name, process.env[name]]);

  beforeAll(async () => {
    receiver = await OtlpReceiver.start();
    for (const name of OTEL_VARIABLES) {
      delete process.env[name];
    }
  });

  afterAll(async () => {
    await shutdownTracing();
    await receiver.close();
    for (const [name, value] of saved) {
      if (value !== undefined) {
        process.env[name as string] = value;
      }
    }
  });

  it('stays off, with the no-op API, when no OTLP endpoint is set', async () => {
    const started = await startTracing('celeriac-test', {
      OTEL_SERVICE_NAME: 'named-but-no-endpoint',
    });
    const run = (span: unknown) => Promise.resolve(span);

    expect(started).toBe(false);
    expect(tracingEnabled()).toBe(false);
    await expect(
      inSpan({ name: 'x', kind: SpanKind.INTERNAL }, run),
    ).resolves.toBeUndefined();
    expect(trace.getTracer('t').startSpan('s').isRecording()).toBe(false);
  });

  it('stays off when OTEL_SDK_DISABLED or OTEL_TRACES_EXPORTER=none say so', () => {
    const endpoint = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318' };

    expect(
      readTracingSettings({ ...endpoint, OTEL_SDK_DISABLED: 'true' }, 'a'),
    ).toBeUndefined();
    expect(
      readTracingSettings({ ...endpoint, OTEL_TRACES_EXPORTER: 'none' }, 'a'),
    ).toBeUndefined();
    expect(readTracingSettings(endpoint, 'a')).toEqual({
      protocol: 'http/protobuf',
      defaultServiceName: 'a',
    });
  });

  it.each([
    ['OTEL_EXPORTER_OTLP_PROTOCOL', 'grpc'],
    ['OTEL_EXPORTER_OTLP_ENDPOINT', 'collector:4318'],
    ['OTEL_TRACES_SAMPLER', 'sometimes'],
    ['OTEL_TRACES_SAMPLER_ARG', '1.5'],
    ['OTEL_BSP_SCHEDULE_DELAY', '-1'],
  ])('refuses %s=%s, naming it', (name, value) => {
    const env = {
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://127.0.0.1:4318/v1/traces',
      [name]: value,
    };

    expect(() => readTracingSettings(env, 'a')).toThrow(ConfigValidationError);
    expect(() => readTracingSettings(env, 'a')).toThrow(name);
  });

  it('exports http/protobuf spans with the default service name, and joins log lines to them', async () => {
    process.env.OTEL_EXPORTER_OTLP_ENDPOINT = receiver.endpoint;
    process.env.OTEL_BSP_SCHEDULE_DELAY = '50';

    expect(await startTracing('celeriac-test')).toBe(true);
    const fields = await inSpan(
      { name: 'unit-span', kind: SpanKind.INTERNAL, activate: true },
      (span) => {
        const context = span?.spanContext();
        return Promise.resolve({ logged: traceLogFields(), context });
      },
    );
    await shutdownTracing();

    expect(fields.logged).toEqual({
      trace_id: fields.context?.traceId,
      span_id: fields.context?.spanId,
      trace_flags: '01',
    });
    expect(traceLogFields()).toEqual({});
    const exported = receiver.requests.find(
      ({ contentType }) => contentType === 'application/x-protobuf',
    );
    expect(exported?.body.includes('unit-span')).toBe(true);
    expect(exported?.body.includes('celeriac-test')).toBe(true);
  });
});
