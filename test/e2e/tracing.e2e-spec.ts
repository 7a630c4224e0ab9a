import { randomBytes, randomUUID } from 'node:crypto';
import {
  OtlpReceiver,
  type ReceivedSpan,
  SPAN_KIND,
} from '../utils/otlp-receiver';
import { pollUntil } from '../utils/poll-until';
import { deleteQueue } from '../utils/rabbitmq';
import { API_APP, WorkerProcess } from '../utils/worker-process';
import { BOOT_TIMEOUT_MS, TEARDOWN_TIMEOUT_MS } from '../utils/teardown';

const SPAN_ERROR = 2;

/** A caller's W3C context: a fresh trace id and the caller's span id. */
function callerContext(): { traceId: string; spanId: string; header: string } {
  const traceId = randomBytes(16).toString('hex');
  const spanId = randomBytes(8).toString('hex');
  return { traceId, spanId, header: `00-${traceId}-${spanId}-01` };
}

describe('traces from the HTTP call to the result (OTLP/HTTP)', () => {
  const queue = `test-tracing-${randomUUID()}`;
  let receiver: OtlpReceiver;
  let api: WorkerProcess;
  let worker: WorkerProcess;

  const post = async (path: string, body: unknown, traceparent: string) => {
    const response = await fetch(`http://127.0.0.1:${api.healthPort}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', traceparent },
      body: JSON.stringify(body),
    });
    expect(response.status).toBe(202);
    return (await response.json()) as { task_id: string; task_ids?: string[] };
  };
  /** The worker's run span of each task id, once all are exported. */
  const runSpans = async (traceId: string, taskIds: string[]) => {
    const find = () =>
      taskIds.map((id) =>
        receiver
          .trace(traceId)
          .find(
            (span) =>
              span.kind === SPAN_KIND.consumer &&
              span.attributes['messaging.message.id'] === id &&
              span.attributes['celery.state'] !== undefined,
          ),
      );
    const found = await pollUntil(
      () => Promise.resolve(find()),
      (spans) => spans.every(Boolean),
      { timeoutMs: 15_000 },
    );
    expect(found.every(Boolean)).toBe(true);
    return found as ReceivedSpan[];
  };
  const spanOf = (traceId: string, match: (span: ReceivedSpan) => boolean) =>
    receiver.trace(traceId).find(match);

  beforeAll(async () => {
    receiver = await OtlpReceiver.start();
    const env = {
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_BSP_SCHEDULE_DELAY: '100',
      TASK_DEFAULT_QUEUE: queue,
      WORKER_QUEUES: queue,
      TASK_TIME_SCALE: '0',
    };
    // A loaded CI machine can take a while to boot two apps at once.
    [worker, api] = await Promise.all([
      WorkerProcess.start(env, undefined, 60_000),
      WorkerProcess.start(env, API_APP, 60_000),
    ]);
  }, BOOT_TIMEOUT_MS);

  afterAll(async () => {
    await Promise.all([api?.stop(), worker?.stop()]);
    await receiver?.close();
    await deleteQueue(queue);
  }, TEARDOWN_TIMEOUT_MS);

  it("continues the caller's traceparent: api SERVER and PRODUCER spans, the worker's run under the publish", async () => {
    const caller = callerContext();

    const { task_id: taskId } = await post(
      '/v1/tasks',
      { task: 'multi_task', args: [6, 7] },
      caller.header,
    );
    const [run] = await runSpans(caller.traceId, [taskId]);

    const server = spanOf(caller.traceId, (s) => s.kind === SPAN_KIND.server);
    const publish = spanOf(
      caller.traceId,
      (s) =>
        s.kind === SPAN_KIND.producer &&
        s.attributes['messaging.message.id'] === taskId,
    );
    expect(server).toMatchObject({
      service: 'celeriac-api',
      name: 'POST /v1/tasks',
      parentSpanId: caller.spanId,
      attributes: expect.objectContaining({
        'http.route': '/v1/tasks',
        'http.response.status_code': 202,
      }) as unknown,
    });
    expect(publish).toMatchObject({
      service: 'celeriac-api',
      name: `publish ${queue}`,
      attributes: expect.objectContaining({
        'celery.task_name': 'multi_task',
        'messaging.destination.name': queue,
      }) as unknown,
    });
    expect(receiver.isDescendant(publish!, server!)).toBe(true);
    expect(run).toMatchObject({
      service: 'celeriac-worker',
      name: `process ${queue}`,
      parentSpanId: publish!.spanId,
      attributes: expect.objectContaining({
        'celery.task_name': 'multi_task',
        'celery.action': 'run',
        'celery.state': 'SUCCESS',
      }) as unknown,
    });
    expect(typeof run.attributes['celery.queue_wait_ms']).toBe('number');
    const stored = spanOf(
      caller.traceId,
      (s) => s.name === 'store_result SUCCESS' && s.parentSpanId === run.spanId,
    );
    expect(stored?.kind).toBe(SPAN_KIND.client);
    // A log line written inside the run carries its ids.
    const joined = worker
      .logs()
      .find((line) => line.taskId === taskId && line.msg === 'task succeeded');
    expect(joined).toMatchObject({
      trace_id: caller.traceId,
      span_id: run.spanId,
    });
  });

  it('keeps a 2-step chain in one trace, the second step under the first', async () => {
    const caller = callerContext();

    const { task_ids: taskIds = [] } = await post(
      '/v1/workflows',
      {
        chain: [
          { task: 'multi_task', args: [2, 3] },
          { task: 'multi_task', args: [10] },
        ],
      },
      caller.header,
    );
    const [first, second] = await runSpans(caller.traceId, taskIds);

    expect(taskIds).toHaveLength(2);
    expect(receiver.isDescendant(second, first)).toBe(true);
    const nextPublish = spanOf(
      caller.traceId,
      (s) => s.spanId === second.parentSpanId,
    );
    expect(nextPublish).toMatchObject({
      service: 'celeriac-worker',
      kind: SPAN_KIND.producer,
      parentSpanId: first.spanId,
    });
  });

  it("records a failing task's exception and ERROR status on its run span", async () => {
    const caller = callerContext();

    const { task_id: taskId } = await post(
      '/v1/tasks',
      { task: 'multi_task', args: ['x', 1] },
      caller.header,
    );
    const [run] = await runSpans(caller.traceId, [taskId]);

    expect(run.attributes['celery.state']).toBe('FAILURE');
    expect(run.status.code).toBe(SPAN_ERROR);
    expect(run.events).toContainEqual({
      name: 'exception',
      attributes: expect.objectContaining({
        'exception.type': 'TypeError',
      }) as unknown,
    });
  });
});
