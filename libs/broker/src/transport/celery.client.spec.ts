import type { AmqpConnectionManager } from 'amqp-connection-manager';
import { CeleryClient } from './celery.client';

// The real RabbitMQ, as the e2e suites use it.
const BROKER_URL = 'amqp://guest:guest@127.0.0.1:5672';

describe(CeleryClient.name, () => {
  it('can be closed while its channel is still opening', async () => {
    const client = new CeleryClient({ url: BROKER_URL });
    // As BrokerModule does: not awaited (once closed, it never settles).
    void client.connect().catch(() => undefined);
    // The publisher channel starts opening on this same event, so closing
    // here lands mid-open; the 'error' that makes used to crash the process.
    await new Promise<void>((resolve, reject) => {
      client.unwrap<AmqpConnectionManager>().once('connect', () => {
        client.close().then(resolve, reject);
      });
    });
    // Time for the failed open to be reported.
    await new Promise((resolve) => setTimeout(resolve, 100));
  });
});

describe('CeleryClient with a bad TLS parameter', () => {
  it('refuses at construction, so the app stops at start and names it', () => {
    expect(
      () =>
        new CeleryClient({
          url: 'amqps://u:p@127.0.0.1:5671//?cacertfile=/nonexistent/ca.pem',
        }),
    ).toThrow(/BROKER_URL cacertfile \/nonexistent\/ca\.pem cannot be read/);
  });
});
