import {
  type Channel,
  type ChannelModel,
  connect,
  type GetMessage,
} from 'amqplib';
import {
  DEAD_LETTER_EXCHANGE,
  DEAD_LETTER_QUEUE,
  declareDeadLetter,
} from '@celeriac/broker';
import { pollUntil } from './poll-until';
import { TEST_BROKER_URL } from './rabbitmq';

/**
 * Sees every dead letter through an exclusive queue of its own bound to the
 * fanout exchange, so a suite can read what it caused without consuming the
 * shared `celeriac.dead-letter` queue; `close()` then removes the suite's
 * own letters (by original queue) from the shared queue and requeues the rest.
 */
export class DeadLetterWatch {
  private readonly seen: GetMessage[] = [];

  private constructor(
    private readonly connection: ChannelModel,
    private readonly channel: Channel,
    private readonly watchQueue: string,
  ) {}

  static async open(): Promise<DeadLetterWatch> {
    const connection = await connect(TEST_BROKER_URL);
    const channel = await connection.createChannel();
    await declareDeadLetter(channel);
    const { queue } = await channel.assertQueue('', { exclusive: true });
    await channel.bindQueue(queue, DEAD_LETTER_EXCHANGE, '');
    return new DeadLetterWatch(connection, channel, queue);
  }

  /** Waits for the dead letter `match` accepts, with a deadline. */
  async find(
    match: (letter: GetMessage) => boolean,
  ): Promise<GetMessage | undefined> {
    return pollUntil(
      async () => {
        const letter = await this.channel.get(this.watchQueue, { noAck: true });
        if (letter !== false) {
          this.seen.push(letter);
        }
        return this.seen.find(match);
      },
      (found) => found !== undefined,
    );
  }

  /** Removes the shared queue's letters that came from `originQueue`, then closes. */
  async close(originQueue: string): Promise<void> {
    const others: GetMessage[] = [];
    for (;;) {
      const letter = await this.channel.get(DEAD_LETTER_QUEUE);
      if (letter === false) {
        break;
      }
      if (letter.properties.headers?.['x-celeriac-queue'] === originQueue) {
        this.channel.ack(letter);
      } else {
        others.push(letter);
      }
    }
    for (const letter of others) {
      this.channel.nack(letter, false, true);
    }
    await this.channel.close();
    await this.connection.close();
  }
}
