import { SpanKind } from '@opentelemetry/api';
import {
  type TaskDelivery,
  celerySpanAttributes,
  extractTraceContext,
} from '@celeriac/broker';
import { activeSpan, inSpan, recordSpanError } from '@celeriac/config';
import { TaskState } from '@celeriac/results';

/**
 * The worker's CONSUMER span `process <queue>` around one task run, the
 * child of the publish whose context the message's headers carry (a
 * celeriac or a Python Celery publish); active while it runs, so the result
 * writes and the next chain step's or chord body's publish are its
 * children. `celery.queue_wait_ms` is how long it waited in this worker
 * (prefetched, for a slot) before it started; the broker's share is the gap
 * between the publish span and this one. With tracing off it is `run()`.
 *
 * @param receivedAt - epoch milliseconds the worker received it
 */
export function traceTaskRun(
  delivery: TaskDelivery,
  receivedAt: number,
  run: () => Promise<void>,
): Promise<void> {
  return inSpan(() => {
    const { headers } = delivery.message;
    return {
      name: `process ${delivery.queue}`,
      kind: SpanKind.CONSUMER,
      parent: extractTraceContext(headers),
      activate: true,
      attributes: {
        ...celerySpanAttributes(headers, delivery.queue, 'run'),
        'celery.queue_wait_ms': Math.max(0, Date.now() - receivedAt),
        ...(headers.origin ? { 'celery.hostname': headers.origin } : {}),
        'messaging.rabbitmq.message.redelivered': delivery.delivery.redelivered,
      },
    };
  }, run);
}

/**
 * The task's outcome on its run span (when one is active): `celery.state`,
 * and for FAILURE the exception event and status ERROR; a RETRY keeps the
 * reason as `celery.retry.reason`, as Python's instrumentation does.
 */
export function recordTaskOutcome(state: TaskState, error?: unknown): void {
  const span = activeSpan();
  if (!span) {
    return;
  }
  span.setAttribute('celery.state', state);
  if (state === TaskState.Failure) {
    recordSpanError(span, error);
  } else if (state === TaskState.Retry && error !== undefined) {
    span.setAttribute(
      'celery.retry.reason',
      error instanceof Error
        ? `${error.name}: ${error.message}`
        : typeof error === 'string'
          ? error
          : (JSON.stringify(error) ?? 'unknown'),
    );
  }
}
