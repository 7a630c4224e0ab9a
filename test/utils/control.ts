import { connect } from 'amqplib';
import { randomUUID } from 'node:crypto';
import { toAmqpHeaders } from '@celeriac/broker';
import { TEST_BROKER_URL } from './rabbitmq';

/**
 * Broadcasts a remote-control cast as Celery's `app.control` does: a JSON
 * body on the `celery.pidbox` fanout exchange, no reply requested.
 */
export async function broadcastControl(
  method: string,
  args: Record<string, unknown>,
  destination: string[] | null = null,
): Promise<void> {
  const connection = await connect(TEST_BROKER_URL);
  try {
    const channel = await connection.createConfirmChannel();
    await channel.assertExchange('celery.pidbox', 'fanout', {
      durable: false,
    });
    const body = {
      method,
      arguments: args,
      destination,
      pattern: null,
      matcher: null,
      ticket: randomUUID(),
    };
    channel.publish('celery.pidbox', '', Buffer.from(JSON.stringify(body)), {
      contentType: 'application/json',
      contentEncoding: 'utf-8',
      headers: toAmqpHeaders({ clock: 1, expires: Date.now() / 1000 + 10 }),
    });
    await channel.waitForConfirms();
    await channel.close();
  } finally {
    await connection.close();
  }
}
