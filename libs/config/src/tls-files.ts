import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';

/** The URL parameters that name a CA, a client certificate and its key. */
export interface TlsFileParameters {
  ca: string;
  cert: string;
  key: string;
}

/**
 * Reads the PEM files a URL's TLS parameters name (absent or empty ones are
 * left out), for Node's `tls` options.
 *
 * @param variable - the URL's variable, named in the error (BROKER_URL)
 * @throws Error naming the variable, the parameter and the path of a file it cannot read
 */
export function readTlsFiles(
  variable: string,
  params: URLSearchParams,
  names: TlsFileParameters,
): Pick<ConnectionOptions, 'ca' | 'cert' | 'key'> {
  const read = (name: string): Buffer | undefined => {
    const path = params.get(name);
    if (path === null || path === '') {
      return undefined;
    }
    try {
      return readFileSync(path);
    } catch (error) {
      throw new Error(
        `${variable} ${name} ${path} cannot be read: ${(error as Error).message}`,
        { cause: error },
      );
    }
  };
  const ca = read(names.ca);
  const cert = read(names.cert);
  const key = read(names.key);
  return {
    ...(ca ? { ca: [ca] } : {}),
    ...(cert ? { cert } : {}),
    ...(key ? { key } : {}),
  };
}
