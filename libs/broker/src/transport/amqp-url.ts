/**
 * Celery writes the default vhost as `//` (`amqp://guest:guest@host:5672//`);
 * amqplib wants it percent-encoded. An empty path means the default vhost.
 */
export function toAmqplibUrl(url: string): string {
  return url.replace(/^(amqps?:\/\/[^/]+)\/\/?$/, '$1/%2F');
}

/** The URL with its password masked, for logs and errors. */
export function maskUrl(url: string): string {
  return url.replace(/\/\/([^:/@]+):([^@]*)@/, '//$1:***@');
}
