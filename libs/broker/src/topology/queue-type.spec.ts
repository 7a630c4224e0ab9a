import {
  declarableArguments,
  queueTypeArguments,
  usesGlobalQos,
} from './queue-type';
import { defaultTaskQueue } from './task-queue';

describe('queue types', () => {
  it("declares quorum queues as Celery 5.5's task_default_queue_type does", () => {
    expect(queueTypeArguments('quorum')).toEqual({ 'x-queue-type': 'quorum' });
    expect(queueTypeArguments('classic')).toBeNull();
    expect(defaultTaskQueue('q', 'quorum').queueArguments).toEqual({
      'x-queue-type': 'quorum',
    });
  });

  it('leaves x-max-priority out of a quorum queue (RabbitMQ 3.10 refuses it with 406)', () => {
    expect(
      declarableArguments({ 'x-queue-type': 'quorum', 'x-max-priority': 10 }),
    ).toEqual({
      arguments: { 'x-queue-type': 'quorum' },
      dropped: ['x-max-priority'],
    });
    expect(declarableArguments({ 'x-max-priority': 10 })).toEqual({
      arguments: { 'x-max-priority': 10 },
      dropped: [],
    });
  });

  it('uses per-consumer QoS as soon as one queue is a quorum queue', () => {
    expect(usesGlobalQos([defaultTaskQueue('a'), defaultTaskQueue('b')])).toBe(
      true,
    );
    expect(
      usesGlobalQos([defaultTaskQueue('a'), defaultTaskQueue('b', 'quorum')]),
    ).toBe(false);
  });
});
