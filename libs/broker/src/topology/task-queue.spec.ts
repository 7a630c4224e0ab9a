import {
  defaultTaskQueue,
  queueAsDict,
  taskQueueFromControl,
} from './task-queue';

describe('queueAsDict', () => {
  it("is kombu's Queue('foo', Exchange('foo', 'direct'), 'foo').as_dict(recurse=True)", () => {
    // Printed by kombu 5.2 (Debian's python3-kombu) for that queue.
    const kombu = JSON.parse(
      '{"name": "foo", "exchange": {"name": "foo", "type": "direct", "arguments": null, "durable": true, "passive": false, "auto_delete": false, "delivery_mode": null, "no_declare": false}, "routing_key": "foo", "queue_arguments": null, "binding_arguments": null, "consumer_arguments": null, "durable": true, "exclusive": false, "auto_delete": false, "no_ack": false, "alias": null, "bindings": [], "no_declare": null, "expires": null, "message_ttl": null, "max_length": null, "max_length_bytes": null, "max_priority": null}',
    ) as unknown;

    const ours = queueAsDict(defaultTaskQueue('foo'));

    expect(ours).toEqual(kombu);
    expect(Object.keys(ours)).toEqual(Object.keys(kombu as object));
  });
});

describe('taskQueueFromControl', () => {
  it("defaults like Celery's add_task_queue: exchange and routing key named like the queue, direct", () => {
    expect(taskQueueFromControl({ queue: 'q1' })).toEqual(
      defaultTaskQueue('q1'),
    );
  });

  it('takes exchange, type, routing key and queue options', () => {
    expect(
      taskQueueFromControl({
        queue: 'q1',
        exchange: 'ex',
        exchange_type: 'topic',
        routing_key: 'a.*',
        durable: false,
        auto_delete: true,
        queue_arguments: { 'x-max-priority': 10 },
      }),
    ).toEqual({
      name: 'q1',
      exchange: { name: 'ex', type: 'topic', durable: true, autoDelete: false },
      routingKey: 'a.*',
      durable: false,
      exclusive: false,
      autoDelete: true,
      queueArguments: { 'x-max-priority': 10 },
    });
  });

  it.each([
    ['no queue', {}, /needs queue/],
    ['an empty queue', { queue: '' }, /needs queue/],
    ['a numeric exchange', { queue: 'q', exchange: 1 }, /exchange must be/],
    ['an unknown type', { queue: 'q', exchange_type: 'x' }, /exchange_type/],
    ['a string durable', { queue: 'q', durable: 'yes' }, /durable/],
    ['list arguments', { queue: 'q', queue_arguments: [1] }, /queue_arguments/],
  ])('refuses %s with a sentence', (_, args, message) => {
    expect(taskQueueFromControl(args)).toMatch(message);
  });
});
