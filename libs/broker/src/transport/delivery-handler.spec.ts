import type { MessageHandler } from '@nestjs/microservices';
import { of } from 'rxjs';
import { consumed, RecordingChannel } from '../../../../test/fakes/amqp.fake';
import { buildTaskMessage } from '../protocol/task-message.builder';
import { AckBatcher } from './ack-batcher';
import type { ConsumerChannel } from './amqp-task-delivery';
import { DeliveryHandler } from './delivery-handler';
import type {
  TaskDelivery,
  TaskDispatcher,
  TaskInvoker,
  UndecodableDelivery,
} from './task-delivery';

/** A dispatcher that records what it is handed and settles as told. */
class RecordingDispatcher implements TaskDispatcher {
  readonly dispatched: { delivery: TaskDelivery; invoke?: TaskInvoker }[] = [];
  readonly undecodable: UndecodableDelivery[] = [];
  onDispatch: (delivery: TaskDelivery) => Promise<void> = (delivery) => {
    delivery.ack();
    return Promise.resolve();
  };

  dispatch(delivery: TaskDelivery, invoke?: TaskInvoker): Promise<void> {
    this.dispatched.push({ delivery, invoke });
    return this.onDispatch(delivery);
  }

  rejectUndecodable(delivery: UndecodableDelivery): Promise<void> {
    this.undecodable.push(delivery);
    delivery.reject(false);
    return Promise.resolve();
  }
}

describe(DeliveryHandler.name, () => {
  const add = buildTaskMessage({ task: 'add_task', id: 'id-1', args: [1, 2] });
  let channel: RecordingChannel;
  let consumer: ConsumerChannel;
  let dispatcher: RecordingDispatcher;
  let errors: string[];
  const handlers: Record<string, MessageHandler> = {};

  const handler = (deliveryLimit = 0) =>
    new DeliveryHandler({
      dispatcher,
      deliveryLimit,
      handlerOf: (task) => handlers[task] ?? null,
      onError: (message) => errors.push(message),
    });

  beforeEach(() => {
    channel = new RecordingChannel();
    const acks = new AckBatcher(channel as never);
    consumer = { acks, holdPrefetch: () => () => undefined };
    dispatcher = new RecordingDispatcher();
    errors = [];
  });

  it('decodes a task message and hands it over with its handler as the invoker', async () => {
    handlers.add_task = ((data: unknown) =>
      of((data as { args: number[] }).args.length)) as MessageHandler;
    const raw = consumed(add, 7);
    consumer.acks.track(raw);
    await handler().handle(consumer, 'the-queue', raw);
    const [{ delivery, invoke }] = dispatcher.dispatched;
    expect(delivery.message.headers).toMatchObject({
      id: 'id-1',
      task: 'add_task',
    });
    expect(delivery.queue).toBe('the-queue');
    expect(delivery.delivery.deliveryTag).toBe(7);
    // An Observable answer (interceptors, filters) is awaited to its value.
    await expect(invoke?.({ args: [1, 2] })).resolves.toBe(2);
    consumer.acks.flush();
    expect(channel.sent).toEqual(['ack 7 multiple']);
  });

  it('hands over no invoker for a task no handler is registered for', async () => {
    await handler().handle(
      consumer,
      'q',
      consumed(buildTaskMessage({ task: 'unknown', id: 'id-2' })),
    );
    expect(dispatcher.dispatched[0].invoke).toBeUndefined();
  });

  it('sends what does not decode to rejectUndecodable, with the reason', async () => {
    const raw = consumed(add, 3);
    raw.properties.contentType = 'application/x-python-serialize';
    await handler().handle(consumer, 'q', raw);
    expect(dispatcher.dispatched).toEqual([]);
    expect(dispatcher.undecodable[0]).toMatchObject({
      taskId: 'id-1',
      task: 'add_task',
      queue: 'q',
    });
    expect(dispatcher.undecodable[0].reason).toContain(
      'unsupported content type',
    );
    expect(channel.sent).toEqual(['nack 3']);
  });

  it('sends a message past the delivery limit to rejectUndecodable', async () => {
    const raw = consumed(add, 4, { 'x-delivery-count': 5 });
    await handler(3).handle(consumer, 'q', raw);
    expect(dispatcher.undecodable[0]).toMatchObject({
      excType: 'DeliveryLimitExceeded',
      taskId: 'id-1',
    });
  });

  it('drops (rejects without requeue) a delivery the dispatcher failed to settle, and says so', async () => {
    dispatcher.onDispatch = () => Promise.reject(new Error('a bug'));
    await handler().handle(consumer, 'q', consumed(add, 9));
    expect(channel.sent).toEqual(['nack 9']);
    expect(errors).toEqual(['delivery 9 from q failed: Error: a bug']);
  });
});
