import { connect } from 'amqplib';
import { testEnvironment } from './test-environment';

/** This jest worker's vhost on the shared RabbitMQ (test/utils/README.md). */
export const TEST_VHOST = testEnvironment('TEST_VHOST');

/**
 * A URL of this jest worker's vhost: on the shared RabbitMQ, or through a
 * proxy in front of it (`brokerUrl({ port: proxy.port })`).
 */
export function brokerUrl({
  port = 5672,
  user = 'guest',
  password = 'guest',
}: { port?: number; user?: string; password?: string } = {}): string {
  return `amqp://${user}:${password}@127.0.0.1:${port}/${encodeURIComponent(TEST_VHOST)}`;
}

export const TEST_BROKER_URL = brokerUrl();

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
