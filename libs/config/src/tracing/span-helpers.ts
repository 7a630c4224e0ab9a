import {
  type Attributes,
  type Context,
  type Span,
  SpanKind,
  SpanStatusCode,
  context,
  trace,
} from '@opentelemetry/api';
import { celeriacTracer, tracingEnabled } from './start-tracing';

/**
 * Marks a span failed as the specification asks: the exception as an event
 * and status ERROR with its message.
 */
export function recordSpanError(span: Span, error: unknown): void {
  if (error instanceof Error) {
    span.recordException(error);
    span.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
  } else {
    span.recordException(String(error));
    span.setStatus({ code: SpanStatusCode.ERROR, message: String(error) });
  }
}

/** What {@link inSpan} starts. */
export interface SpanSpec {
  name: string;
  kind: SpanKind;
  attributes?: Attributes;
  /** The parent; the active context when omitted. */
  parent?: Context;
  /** Whether `run` sees the span as the active one (its children's parent). */
  activate?: boolean;
}

/**
 * Runs `run` inside a span that ends when it settles, recording a rejection
 * as the span's error. With tracing off it is `run()` itself.
 */
export function inSpan<T>(
  spec: SpanSpec | (() => SpanSpec),
  run: (span: Span | undefined) => Promise<T>,
): Promise<T> {
  if (!tracingEnabled()) {
    return run(undefined);
  }
  const { name, kind, attributes, parent, activate } =
    typeof spec === 'function' ? spec() : spec;
  const parentContext = parent ?? context.active();
  const span = celeriacTracer().startSpan(
    name,
    { kind, attributes },
    parentContext,
  );
  const settle = async (): Promise<T> => {
    try {
      return await run(span);
    } catch (error) {
      recordSpanError(span, error);
      throw error;
    } finally {
      span.end();
    }
  };
  return activate
    ? context.with(trace.setSpan(parentContext, span), settle)
    : settle();
}

/** The active span while tracing is on, else undefined (no work when off). */
export function activeSpan(): Span | undefined {
  return tracingEnabled() ? trace.getActiveSpan() : undefined;
}
