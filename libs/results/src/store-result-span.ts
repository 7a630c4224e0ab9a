import { SpanKind } from '@opentelemetry/api';
import { inSpan } from '@celeriac/config';

/**
 * A CLIENT span `store_result <STATE>` around one result write to Redis
 * (a child of the task's run span in the worker); `write()` itself with
 * tracing off.
 */
export function withStoreResultSpan(
  taskId: string,
  state: string,
  write: () => Promise<boolean>,
): Promise<boolean> {
  return inSpan(
    () => ({
      name: `store_result ${state}`,
      kind: SpanKind.CLIENT,
      attributes: {
        'db.system.name': 'redis',
        'db.operation.name': 'EVALSHA',
        'messaging.message.id': taskId,
        'celery.state': state,
      },
    }),
    write,
  );
}
