import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** PEM files of a throw-away CA, a server certificate for 127.0.0.1 and a client certificate. */
export interface TestCertificates {
  dir: string;
  ca: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
}

function openssl(args: string[]): void {
  execFileSync('openssl', args, { stdio: 'ignore' });
}

/**
 * Makes the certificates with openssl in a fresh folder. The server's
 * certificate names 127.0.0.1 and localhost, so clients verify it as they
 * would in production; the folder is world-readable because a server the
 * test starts may run as another user.
 */
export function makeTestCertificates(): TestCertificates {
  const dir = mkdtempSync(join(tmpdir(), 'celeriac-certs-'));
  chmodSync(dir, 0o755);
  const path = (name: string) => join(dir, name);
  openssl([
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '2',
    '-subj',
    '/CN=celeriac-test-ca',
    '-keyout',
    path('ca.key'),
    '-out',
    path('ca.pem'),
  ]);
  writeFileSync(
    path('server.ext'),
    'subjectAltName=IP:127.0.0.1,DNS:localhost\n',
  );
  const sign = (name: string, subject: string, extensions?: string) => {
    openssl([
      'req',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-subj',
      subject,
      '-keyout',
      path(`${name}.key`),
      '-out',
      path(`${name}.csr`),
    ]);
    openssl([
      'x509',
      '-req',
      '-days',
      '2',
      '-in',
      path(`${name}.csr`),
      '-CA',
      path('ca.pem'),
      '-CAkey',
      path('ca.key'),
      '-CAcreateserial',
      '-out',
      path(`${name}.pem`),
      ...(extensions ? ['-extfile', extensions] : []),
    ]);
    chmodSync(path(`${name}.key`), 0o644);
  };
  sign('server', '/CN=localhost', path('server.ext'));
  sign('client', '/CN=celeriac-client');
  return {
    dir,
    ca: path('ca.pem'),
    serverCert: path('server.pem'),
    serverKey: path('server.key'),
    clientCert: path('client.pem'),
    clientKey: path('client.key'),
  };
}
