import { connect } from 'amqplib';

export const TEST_BROKER_URL = 'amqp://guest:guest@127.0.0.1:5672';

/** Removes a test queue and the direct exchange Celery's topology made for it. */
export async function deleteQueue(queue: string): Promise<void> {
  const connection = await connect(TEST_BROKER_URL);
  try {
    const channel = await connection.createChannel();
    await channel.deleteQueue(queue);
    await channel.deleteExchange(queue);
    await channel.close();
  } finally {
    await connection.close();
  }
}
