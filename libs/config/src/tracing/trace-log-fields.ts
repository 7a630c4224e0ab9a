import { trace } from '@opentelemetry/api';

/** The ids a log line written inside a span carries. */
export interface TraceLogFields {
  trace_id?: string;
  span_id?: string;
  trace_flags?: string;
}

/**
 * pino `mixin`: `trace_id`, `span_id` and `trace_flags` (as
 * OpenTelemetry's log data model names them) of the active span, so a log
 * line and its trace join; nothing outside a span. Only installed while
 * tracing is on.
 */
export function traceLogFields(): TraceLogFields {
  const spanContext = trace.getActiveSpan()?.spanContext();
  if (!spanContext || !trace.isSpanContextValid(spanContext)) {
    // A fresh object: pino merges the line's fields into what a mixin returns.
    return {};
  }
  return {
    trace_id: spanContext.traceId,
    span_id: spanContext.spanId,
    trace_flags: spanContext.traceFlags.toString(16).padStart(2, '0'),
  };
}
