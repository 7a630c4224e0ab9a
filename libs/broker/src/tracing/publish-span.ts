import { SpanKind, context, trace } from '@opentelemetry/api';
import { inSpan } from '@celeriac/config';
import type { TaskMessage } from '../protocol/celery-message';
import { celerySpanAttributes } from './celery-span-attributes';
import { injectTraceContext } from './celery-trace-context';

/**
 * A PRODUCER span `publish <queue>` around one task publish, its context
 * written into the message's headers first, so the task's run continues
 * this trace (in celeriac or in a Python worker). With tracing off it is
 * `publish()` and the headers stay untouched.
 */
export function withPublishSpan<T>(
  message: TaskMessage,
  queue: string,
  publish: () => Promise<T>,
): Promise<T> {
  return inSpan(
    () => ({
      name: `publish ${queue}`,
      kind: SpanKind.PRODUCER,
      attributes: celerySpanAttributes(message.headers, queue, 'apply_async'),
    }),
    (span) => {
      if (span) {
        injectTraceContext(
          message.headers,
          trace.setSpan(context.active(), span),
        );
      }
      return publish();
    },
  );
}
