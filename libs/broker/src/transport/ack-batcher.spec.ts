import type { Channel, Message } from 'amqplib';
import { RecordingChannel } from '../../../../test/fakes/amqp.fake';
import { AckBatcher } from './ack-batcher';

/** Records what the batcher sends, as the broker would see it. */
function recordingChannel() {
  const channel = new RecordingChannel();
  return { sent: channel.sent, channel: channel as unknown as Channel };
}

const delivery = (tag: number) =>
  ({ fields: { deliveryTag: tag } }) as unknown as Message;

function delivered(batcher: AckBatcher, tags: number[]): Message[] {
  const messages = tags.map(delivery);
  messages.forEach((message) => batcher.track(message));
  return messages;
}

describe(AckBatcher.name, () => {
  it('acks the oldest run of deliveries with one multiple ack', () => {
    const { sent, channel } = recordingChannel();
    const batcher = new AckBatcher(channel);
    const [one, two, three] = delivered(batcher, [1, 2, 3]);

    batcher.ack(two);
    batcher.ack(one);
    batcher.ack(three);
    expect(sent).toEqual([]);
    batcher.flush();

    expect(sent).toEqual(['ack 3 multiple']);
  });

  it('acks singly what lies beyond a delivery still running', () => {
    const { sent, channel } = recordingChannel();
    const batcher = new AckBatcher(channel);
    const [one, , three, four] = delivered(batcher, [1, 2, 3, 4]);

    batcher.ack(one);
    batcher.ack(four);
    batcher.ack(three);
    batcher.flush();

    expect(sent).toEqual(['ack 1 multiple', 'ack 4', 'ack 3']);
  });

  it('lets a settled delivery no longer hold back the run', () => {
    const { sent, channel } = recordingChannel();
    const batcher = new AckBatcher(channel);
    const [one, two, three] = delivered(batcher, [1, 2, 3]);

    batcher.ack(one);
    batcher.flush();
    batcher.reject(two, false);
    batcher.ack(three);
    batcher.flush();

    expect(sent).toEqual(['ack 1 multiple', 'nack 2', 'ack 3 multiple']);
  });

  it('sends rejects at once and acks on the next turn of the event loop', async () => {
    const { sent, channel } = recordingChannel();
    const batcher = new AckBatcher(channel);
    const [one, two] = delivered(batcher, [7, 8]);

    batcher.ack(two);
    batcher.reject(one, true);
    expect(sent).toEqual(['nack 7 requeue']);
    await new Promise((resolve) => setImmediate(resolve));

    expect(sent).toEqual(['nack 7 requeue', 'ack 8 multiple']);
  });

  it('swallows a closed channel: the broker redelivers', () => {
    const channel = {
      ack: () => {
        throw new Error('Channel closed');
      },
    } as unknown as Channel;
    const batcher = new AckBatcher(channel);
    const [one] = delivered(batcher, [1]);

    batcher.ack(one);

    expect(() => batcher.flush()).not.toThrow();
  });
});
