import type { TaskDelivery, TaskMessage } from '@celeriac/broker';
import { WorkerRequests } from './worker-requests';

function delivery(
  id: string,
  headers: Partial<TaskMessage['headers']> = {},
): TaskDelivery & { acked: () => number } {
  let acks = 0;
  return {
    get acknowledged() {
      return acks > 0;
    },
    message: {
      headers: {
        id,
        task: 'add_task',
        eta: null,
        argsrepr: '(1, 2)',
        kwargsrepr: '{}',
        ...headers,
      },
      args: [1, 2],
      kwargs: {},
    } as unknown as TaskMessage,
    delivery: {
      exchange: '',
      routingKey: 'q',
      redelivered: false,
      deliveryTag: 1,
    },
    queue: 'q',
    raw: {
      content: Buffer.from(''),
      properties: { priority: 0 } as TaskDelivery['raw']['properties'],
    },
    ack: () => {
      acks += 1;
    },
    reject: () => undefined,
    holdPrefetch: () => () => undefined,
    acked: () => acks,
  };
}

describe('WorkerRequests', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');

  it('moves a task from reserved to active, counts it by name, forgets it', () => {
    const requests = new WorkerRequests('w@h');
    const tracked = requests.receive(delivery('a'), now);

    expect(requests.inStage('reserved')).toEqual([tracked]);
    requests.start(tracked, now + 1500);
    expect(requests.inStage('active')).toEqual([tracked]);
    expect(requests.totalCount()).toEqual({ add_task: 1 });
    tracked.forget();
    expect(requests.inStage('active')).toEqual([]);
    expect(requests.totalCount()).toEqual({ add_task: 1 });
  });

  it("gives Celery's Request.info(), args as reprs when safe", () => {
    const requests = new WorkerRequests('w@h');
    const tracked = requests.receive(delivery('a'), now);

    expect(tracked.info()).toEqual({
      id: 'a',
      name: 'add_task',
      args: [1, 2],
      kwargs: {},
      type: 'add_task',
      hostname: 'w@h',
      time_start: null,
      acknowledged: false,
      delivery_info: {
        exchange: '',
        routing_key: 'q',
        priority: 0,
        redelivered: false,
      },
      worker_pid: null,
    });
    requests.start(tracked, now);
    tracked.delivery.ack();
    expect(tracked.info(true)).toMatchObject({
      args: '(1, 2)',
      kwargs: '{}',
      time_start: now / 1000,
      acknowledged: true,
      worker_pid: process.pid,
    });
  });

  it('acks through to the original delivery', () => {
    const original = delivery('a');
    const tracked = new WorkerRequests('w@h').receive(original, now);
    expect(tracked.info().acknowledged).toBe(false);

    tracked.delivery.ack();

    expect(original.acked()).toBe(1);
    expect(tracked.info().acknowledged).toBe(true);
  });

  it('holds a task with a future ETA as scheduled until reserved', () => {
    const requests = new WorkerRequests('w@h');
    const eta = '2026-01-01T00:01:00+00:00';
    const tracked = requests.receive(delivery('a', { eta }), now);

    expect(requests.inStage('scheduled')).toEqual([tracked]);
    expect(tracked.scheduledInfo()).toEqual({
      eta,
      priority: 0,
      request: tracked.info(),
    });
    tracked.reserve();
    expect(requests.inStage('reserved')).toEqual([tracked]);
  });

  it('finds requests by id', () => {
    const requests = new WorkerRequests('w@h');
    const a = requests.receive(delivery('a'), now);
    requests.receive(delivery('b'), now);

    expect(requests.find(['a', 'x'])).toEqual([a]);
  });
});
