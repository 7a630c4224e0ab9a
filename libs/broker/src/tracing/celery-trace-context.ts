import {
  type Context,
  ROOT_CONTEXT,
  type TextMapGetter,
  propagation,
} from '@opentelemetry/api';

type Headers = Record<string, unknown>;

// A header may come back from AMQP as a Buffer (a long string some clients send as bytes).
const celeryHeaderGetter: TextMapGetter<Headers> = {
  keys: (headers) => Object.keys(headers),
  get: (headers, key) => {
    const value = headers[key];
    if (typeof value === 'string') {
      return value;
    }
    return Buffer.isBuffer(value) ? value.toString('utf8') : undefined;
  },
};

/**
 * Writes `context` into a protocol v2 message's headers as Python's
 * opentelemetry-instrumentation-celery does (`propagate.inject(headers)` in
 * `before_task_publish`): the propagators' fields, `traceparent`
 * (+ `tracestate`, `baggage`), as top-level message headers. A Celery
 * worker exposes those as `task.request.traceparent`, where that
 * instrumentation's getter reads them.
 */
export function injectTraceContext(headers: Headers, context: Context): void {
  propagation.inject(context, headers);
}

/**
 * The context a message's headers carry (see {@link injectTraceContext}),
 * whoever published it: celeriac or Python Celery with that
 * instrumentation. The root context when they carry none.
 */
export function extractTraceContext(headers: Headers): Context {
  return propagation.extract(ROOT_CONTEXT, headers, celeryHeaderGetter);
}
