import { signature } from '@celeriac/tasks';
import {
  fakeDelivery,
  fakeEngine,
  type FakeEngine,
} from '../../../../test/fakes';

describe('DeadLetters', () => {
  let engine: FakeEngine;

  beforeEach(() => {
    engine = fakeEngine();
  });

  it('stores why a task can never run, dead-letters it with the reason, then acks it', async () => {
    const delivery = fakeDelivery({ task: 'nobody_knows' });
    const { id } = delivery.message.headers;
    await engine.deadLetters.refuse(delivery, {
      exc_type: 'NotRegistered',
      exc_message: ['nobody_knows'],
      exc_module: 'celery.exceptions',
    });
    expect(engine.results.states.get(id)).toMatchObject({
      state: 'FAILURE',
      result: { exc_type: 'NotRegistered' },
      extra: { name: 'nobody_knows' },
    });
    expect(engine.broker.deadLetters).toEqual([
      expect.objectContaining({
        reason: 'NotRegistered: nobody_knows',
        queue: delivery.queue,
        taskId: id,
        task: 'nobody_knows',
        content: delivery.raw.content,
      }),
    ]);
    expect(delivery.settlement).toBe('ack');
    expect(engine.events).toEqual([`task-rejected:${id}`]);
  });

  it('tells a waiting chord that its part failed', async () => {
    const body = signature('multi_task', [], {}, { task_id: 'body' });
    const delivery = fakeDelivery({
      groupId: 'the-group',
      groupIndex: 0,
      chord: body.toDict(),
    });
    await engine.chords.setSize('the-group', 1);
    await engine.deadLetters.refuse(delivery, {
      exc_type: 'TypeError',
      exc_message: ['bad arguments'],
      exc_module: 'builtins',
    });
    expect(engine.results.states.get('body')).toMatchObject({
      state: 'FAILURE',
      result: { exc_type: 'ChordError' },
    });
  });

  it('dead-letters even when the result cannot be written', async () => {
    engine.results.failWith = new Error('Redis down');
    const delivery = fakeDelivery();
    await engine.deadLetters.refuse(delivery, {
      exc_type: 'NotRegistered',
      exc_message: ['add_task'],
      exc_module: 'celery.exceptions',
    });
    expect(engine.broker.deadLetters).toHaveLength(1);
    expect(delivery.settlement).toBe('ack');
  });

  it('gives the message back to its queue when the dead-letter publish fails', async () => {
    engine.broker.deadLetter = () => Promise.reject(new Error('no confirm'));
    const delivery = fakeDelivery();
    await engine.deadLetters.refuse(delivery, {
      exc_type: 'NotRegistered',
      exc_message: ['add_task'],
      exc_module: 'celery.exceptions',
    });
    expect(delivery.settlement).toBe('requeue');
    expect(engine.events).toEqual([]);
  });

  it('stores DecodeError for an undecodable message that names its task id', async () => {
    const delivery = fakeDelivery();
    await engine.deadLetters.rejectUndecodable({
      ...delivery,
      reason: 'body is not JSON',
      taskId: 'the-id',
      content: delivery.raw.content,
      ack: () => delivery.ack(),
      reject: (requeue) => delivery.reject(requeue),
    });
    expect(engine.results.states.get('the-id')).toMatchObject({
      state: 'FAILURE',
      result: {
        exc_type: 'DecodeError',
        exc_message: ['body is not JSON'],
        exc_module: 'kombu.exceptions',
      },
    });
    expect(engine.broker.deadLetters[0]).toMatchObject({
      reason: 'body is not JSON',
      taskId: 'the-id',
    });
    expect(delivery.settlement).toBe('ack');
  });
});
