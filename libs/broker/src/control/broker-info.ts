import { brokerUrls } from '../transport/broker-urls';
import { maskUrl } from '../transport/amqp-url';
/**
 * kombu's `Connection.info()` for an AMQP URL, without the password, as a
 * Celery worker puts it under `broker` in its `stats` reply
 * (`celery/worker/consumer/connection.py`). Flower lists these keys on the
 * worker page.
 *
 * @param url - the broker URL (`amqp://user:password@host:port/vhost`), or
 *   a `;` failover list: the first is described, the others are `alternates`
 * @param heartbeatSeconds - the connection's AMQP heartbeat
 */
export function brokerInfo(
  url: string,
  heartbeatSeconds: number,
): Record<string, unknown> {
  const [first = url, ...others] = brokerUrls(url);
  const parsed = new URL(first);
  const ssl = parsed.protocol === 'amqps:';
  // kombu: `//` (or no path) is the default vhost `/`; otherwise the path
  // without its leading slash, percent-decoded.
  const path = parsed.pathname;
  const virtualHost =
    path === '' || path === '/' || path === '//'
      ? '/'
      : decodeURIComponent(path.slice(1));
  return {
    hostname: parsed.hostname,
    userid: parsed.username ? decodeURIComponent(parsed.username) : 'guest',
    virtual_host: virtualHost,
    port: parsed.port ? Number(parsed.port) : ssl ? 5671 : 5672,
    insist: false,
    ssl,
    transport: 'amqp',
    connect_timeout: 4,
    transport_options: {},
    login_method: 'PLAIN',
    uri_prefix: null,
    heartbeat: heartbeatSeconds,
    failover_strategy: 'round-robin',
    alternates: others.map(maskUrl),
  };
}
