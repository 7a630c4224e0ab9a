import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { redisTlsOptions, withoutTlsParameters } from './redis-tls';

describe('redisTlsOptions', () => {
  const dir = mkdtempSync(join(tmpdir(), 'redis-tls-'));
  const ca = join(dir, 'ca.pem');
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  writeFileSync(ca, 'CA');
  writeFileSync(cert, 'CERT');
  writeFileSync(key, 'KEY');

  it('is undefined for redis://', () => {
    expect(
      redisTlsOptions(`redis://h:6379/0?ssl_ca_certs=${ca}`),
    ).toBeUndefined();
  });

  it('verifies the server by default over rediss://', () => {
    expect(redisTlsOptions('rediss://h:6380/0')).toEqual({
      rejectUnauthorized: true,
    });
  });

  it("reads Celery's ssl_* parameters", () => {
    const options = redisTlsOptions(
      `rediss://user:pw@h:6380/0?ssl_cert_reqs=required&ssl_ca_certs=${ca}&ssl_certfile=${cert}&ssl_keyfile=${key}`,
    );
    expect(options).toEqual({
      rejectUnauthorized: true,
      ca: [Buffer.from('CA')],
      cert: Buffer.from('CERT'),
      key: Buffer.from('KEY'),
    });
  });

  it.each(['none', 'CERT_NONE', 'optional', 'CERT_OPTIONAL'])(
    'does not verify with ssl_cert_reqs=%s, as Celery',
    (value) => {
      expect(
        redisTlsOptions(`rediss://h/0?ssl_cert_reqs=${value}`)
          ?.rejectUnauthorized,
      ).toBe(false);
    },
  );

  it('refuses an unknown ssl_cert_reqs and an unreadable file', () => {
    expect(() => redisTlsOptions('rediss://h/0?ssl_cert_reqs=maybe')).toThrow(
      'RESULT_BACKEND_URL ssl_cert_reqs must be required, optional or none, not maybe',
    );
    expect(() =>
      redisTlsOptions(`rediss://h/0?ssl_ca_certs=${join(dir, 'none.pem')}`),
    ).toThrow(/RESULT_BACKEND_URL ssl_ca_certs .*none\.pem cannot be read/);
  });
});

describe('withoutTlsParameters', () => {
  it('drops the ssl_* parameters and keeps the rest', () => {
    expect(
      withoutTlsParameters(
        'rediss://user:pw@h:6380/2?ssl_cert_reqs=none&ssl_ca_certs=/ca.pem&family=4',
      ),
    ).toBe('rediss://user:pw@h:6380/2?family=4');
  });
});
