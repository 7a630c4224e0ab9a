import { amqpTlsOptions, maskUrl, toAmqplibUrl } from './amqp-url';

/**
 * The brokers of a `BROKER_URL`, which may list several separated by `;`
 * (Celery's failover syntax: `amqp://a//;amqp://b//`), in order.
 */
export function brokerUrls(url: string): string[] {
  return url
    .split(';')
    .map((one) => one.trim())
    .filter((one) => one !== '');
}

/** One broker as amqp-connection-manager takes it: amqplib's URL and its socket options. */
export interface BrokerEndpoint {
  url: string;
  connectionOptions: Record<string, unknown>;
}

/**
 * What amqp-connection-manager connects to: every broker of the list, as
 * amqplib reads its URL, with the shared socket options and its own TLS
 * settings (each URL's read now, so a bad one stops the app at start). The
 * manager tries them in turn, moving to the next when a connect fails or
 * the connection drops, so an app fails over by itself.
 */
export function brokerEndpoints(
  url: string,
  socketOptions: Record<string, unknown>,
): BrokerEndpoint[] {
  return brokerUrls(url).map((one) => ({
    url: toAmqplibUrl(one),
    connectionOptions: { ...socketOptions, ...amqpTlsOptions(one) },
  }));
}

/** The list with every password masked, for logs. */
export function maskBrokerUrls(url: string): string {
  return brokerUrls(url).map(maskUrl).join(';');
}
