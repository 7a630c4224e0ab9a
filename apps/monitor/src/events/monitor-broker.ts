import type { AmqpConnectionManager } from 'amqp-connection-manager';
import { CeleryClient, ControlClient } from '@celeriac/broker';

/**
 * The monitor's RabbitMQ connection: the one the broker lib's client opens
 * (publishing, health), shared by the event receiver, the control client
 * and the queue probes.
 */
export function monitorConnection(client: CeleryClient): AmqpConnectionManager {
  // connect() creates the connection synchronously; it reconnects by itself.
  void client.connect().catch(() => undefined);
  return client.unwrap<AmqpConnectionManager>();
}

/** Nest provider of the monitor's {@link ControlClient}. */
export const controlClientProvider = {
  provide: ControlClient,
  inject: [CeleryClient],
  useFactory: (client: CeleryClient) =>
    new ControlClient(monitorConnection(client)),
};
