import type { ConnectionOptions } from 'node:tls';
import { readTlsFiles } from '@celeriac/config';

/**
 * TLS settings of an `amqps://` URL, named as in RabbitMQ's own
 * `ssl_options`: `cacertfile`, `certfile`, `keyfile` (PEM file paths),
 * `verify` (`verify_peer`, the default, or `verify_none`) and
 * `server_name_indication`.
 */
const TLS_PARAMETERS = [
  'cacertfile',
  'certfile',
  'keyfile',
  'verify',
  'server_name_indication',
] as const;

/**
 * Celery writes the default vhost as `//` (`amqp://guest:guest@host:5672//`);
 * amqplib wants it percent-encoded. An empty path means the default vhost.
 * TLS parameters are left out: {@link amqpTlsOptions} reads them.
 */
export function toAmqplibUrl(url: string): string {
  const [base, query = ''] = splitQuery(url);
  const params = new URLSearchParams(query);
  for (const name of TLS_PARAMETERS) {
    params.delete(name);
  }
  const rest = params.toString();
  const amqplibBase = base.replace(/^(amqps?:\/\/[^/]+)\/\/?$/, '$1/%2F');
  return rest === '' ? amqplibBase : `${amqplibBase}?${rest}`;
}

/**
 * The socket options amqplib needs for an `amqps://` URL's TLS parameters:
 * the CA, the client certificate and key read from their files, and whether
 * the server's certificate is verified. `{}` for `amqp://` or no parameters.
 *
 * @throws Error naming the parameter when a file cannot be read or `verify` is unknown
 */
export function amqpTlsOptions(url: string): ConnectionOptions {
  const [base, query = ''] = splitQuery(url);
  if (!base.startsWith('amqps://')) {
    return {};
  }
  const params = new URLSearchParams(query);
  const options: ConnectionOptions = readTlsFiles('BROKER_URL', params, {
    ca: 'cacertfile',
    cert: 'certfile',
    key: 'keyfile',
  });
  const verify = params.get('verify') ?? 'verify_peer';
  if (verify !== 'verify_peer' && verify !== 'verify_none') {
    throw new Error(
      `BROKER_URL verify must be verify_peer or verify_none, not ${verify}`,
    );
  }
  options.rejectUnauthorized = verify === 'verify_peer';
  const serverName = params.get('server_name_indication');
  if (serverName) {
    options.servername = serverName;
  }
  return options;
}

/** The URL with its password masked, for logs and errors. */
export function maskUrl(url: string): string {
  return url.replace(/\/\/([^:/@]+):([^@]*)@/, '//$1:***@');
}

function splitQuery(url: string): [string, string?] {
  const at = url.indexOf('?');
  return at === -1 ? [url] : [url.slice(0, at), url.slice(at + 1)];
}
