import type { ConnectionOptions } from 'node:tls';
import { readTlsFiles } from '@celeriac/config';

/**
 * Celery's TLS parameters of a `rediss://` result backend URL
 * (`ssl_cert_reqs`, `ssl_ca_certs`, `ssl_certfile`, `ssl_keyfile`), as
 * `celery.backends.redis` reads them, so one URL serves Python and celeriac.
 */
const TLS_PARAMETERS = [
  'ssl_cert_reqs',
  'ssl_ca_certs',
  'ssl_certfile',
  'ssl_keyfile',
] as const;

/** Celery's spellings of `ssl_cert_reqs`: whether the server's certificate is checked. */
const CERT_REQS: Record<string, boolean> = {
  required: true,
  cert_required: true,
  optional: false,
  cert_optional: false,
  none: false,
  cert_none: false,
};

/** The URL without the TLS parameters, for ioredis (which would take them as options). */
export function withoutTlsParameters(url: string): string {
  const parsed = new URL(url);
  for (const name of TLS_PARAMETERS) {
    parsed.searchParams.delete(name);
  }
  return parsed.toString();
}

/**
 * ioredis' `tls` option for a `rediss://` URL: the CA and the client
 * certificate read from their files, and whether the server is verified
 * (`ssl_cert_reqs=required`, the default). `undefined` for `redis://`.
 *
 * @throws Error naming the parameter when a file cannot be read or a value is unknown
 */
export function redisTlsOptions(url: string): ConnectionOptions | undefined {
  const parsed = new URL(url);
  if (parsed.protocol !== 'rediss:') {
    return undefined;
  }
  const params = parsed.searchParams;
  const certReqs = (params.get('ssl_cert_reqs') ?? 'required').toLowerCase();
  const verify = CERT_REQS[certReqs];
  if (verify === undefined) {
    throw new Error(
      `RESULT_BACKEND_URL ssl_cert_reqs must be required, optional or none, not ${certReqs}`,
    );
  }
  return {
    rejectUnauthorized: verify,
    ...readTlsFiles('RESULT_BACKEND_URL', params, {
      ca: 'ssl_ca_certs',
      cert: 'ssl_certfile',
      key: 'ssl_keyfile',
    }),
  };
}
