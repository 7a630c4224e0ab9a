import { W3CTraceContextPropagator } from '@opentelemetry/core';
import {
  ROOT_CONTEXT,
  TraceFlags,
  propagation,
  trace,
} from '@opentelemetry/api';
import {
  readWireFixture,
  type CapturedQueue,
} from '../../../../test/utils/wire-fixtures';
import { buildTaskMessage } from '../protocol/task-message.builder';
import {
  decodeTaskMessage,
  encodeTaskMessage,
} from '../protocol/task-message.codec';
import {
  extractTraceContext,
  injectTraceContext,
} from './celery-trace-context';

// What Python's opentelemetry-instrumentation-celery's `inject(headers)`
// adds to a protocol v2 message's headers in `before_task_publish`.
const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const PARENT_SPAN_ID = '00f067aa0ba902b7';
const PYTHON_TRACEPARENT = `00-${TRACE_ID}-${PARENT_SPAN_ID}-01`;

describe('Celery message trace context', () => {
  beforeAll(() => {
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  });
  afterAll(() => propagation.disable());

  it('reads the traceparent Python Celery instrumentation writes into a captured message', () => {
    const [captured] =
      readWireFixture<CapturedQueue>('msg-send_task.json').messages;
    const decoded = decodeTaskMessage(Buffer.from(captured.body_utf8), {
      ...captured.properties,
      headers: {
        ...captured.properties.headers,
        traceparent: PYTHON_TRACEPARENT,
        tracestate: 'vendor=value',
      },
    });
    if (!decoded.ok) {
      throw new Error(decoded.reason);
    }

    const parent = trace.getSpanContext(
      extractTraceContext(decoded.message.headers),
    );

    expect(parent).toMatchObject({
      traceId: TRACE_ID,
      spanId: PARENT_SPAN_ID,
      traceFlags: TraceFlags.SAMPLED,
      isRemote: true,
    });
    expect(parent?.traceState?.get('vendor')).toBe('value');
  });

  it('reads a traceparent that arrives as bytes', () => {
    const parent = trace.getSpanContext(
      extractTraceContext({ traceparent: Buffer.from(PYTHON_TRACEPARENT) }),
    );

    expect(parent?.traceId).toBe(TRACE_ID);
  });

  it('gives the root context when the message carries none', () => {
    expect(trace.getSpanContext(extractTraceContext({ id: 'x' }))).toBe(
      undefined,
    );
  });

  it('writes traceparent as a top-level message header, where a Celery worker exposes it as task.request.traceparent', () => {
    const message = buildTaskMessage({
      task: 'add_task',
      id: 't-1',
      args: [1],
    });
    const active = trace.setSpanContext(ROOT_CONTEXT, {
      traceId: TRACE_ID,
      spanId: PARENT_SPAN_ID,
      traceFlags: TraceFlags.SAMPLED,
    });

    injectTraceContext(message.headers, active);
    const { options } = encodeTaskMessage(message);

    expect(options.headers.traceparent).toBe(PYTHON_TRACEPARENT);
    expect(options.headers.task).toBe('add_task');
  });
});
