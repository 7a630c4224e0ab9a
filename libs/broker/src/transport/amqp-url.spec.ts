import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { amqpTlsOptions, maskUrl, toAmqplibUrl } from './amqp-url';

describe('toAmqplibUrl', () => {
  it.each([
    [
      'amqp://guest:guest@127.0.0.1:5672//',
      'amqp://guest:guest@127.0.0.1:5672/%2F',
    ],
    ['amqp://u:p@h:5672/vhost', 'amqp://u:p@h:5672/vhost'],
    [
      'amqps://u:p@h:5671//?cacertfile=/ca.pem&verify=verify_none',
      'amqps://u:p@h:5671/%2F',
    ],
    [
      'amqps://u:p@h:5671//?heartbeat=5&keyfile=/k.pem',
      'amqps://u:p@h:5671/%2F?heartbeat=5',
    ],
  ])('%s → %s', (url, expected) => {
    expect(toAmqplibUrl(url)).toBe(expected);
  });
});

describe('amqpTlsOptions', () => {
  const dir = mkdtempSync(join(tmpdir(), 'amqp-tls-'));
  const ca = join(dir, 'ca.pem');
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  writeFileSync(ca, 'CA');
  writeFileSync(cert, 'CERT');
  writeFileSync(key, 'KEY');

  it('gives nothing for amqp://, whatever the query', () => {
    expect(amqpTlsOptions(`amqp://h//?cacertfile=${ca}`)).toEqual({});
  });

  it('verifies the server by default over amqps://', () => {
    expect(amqpTlsOptions('amqps://u:p@h:5671//')).toEqual({
      rejectUnauthorized: true,
    });
  });

  it('reads the CA, the client certificate and key from their files', () => {
    const options = amqpTlsOptions(
      `amqps://u:p@h:5671//?cacertfile=${ca}&certfile=${cert}&keyfile=${key}&server_name_indication=rabbit.local`,
    );
    expect(options.ca).toEqual([Buffer.from('CA')]);
    expect(options.cert).toEqual(Buffer.from('CERT'));
    expect(options.key).toEqual(Buffer.from('KEY'));
    expect(options.servername).toBe('rabbit.local');
    expect(options.rejectUnauthorized).toBe(true);
  });

  it('skips verification only when asked with verify_none', () => {
    expect(
      amqpTlsOptions('amqps://h//?verify=verify_none').rejectUnauthorized,
    ).toBe(false);
  });

  it('names the parameter of a file it cannot read', () => {
    expect(() =>
      amqpTlsOptions(`amqps://h//?cacertfile=${join(dir, 'missing.pem')}`),
    ).toThrow(/BROKER_URL cacertfile .*missing\.pem cannot be read/);
  });

  it('refuses an unknown verify mode', () => {
    expect(() => amqpTlsOptions('amqps://h//?verify=maybe')).toThrow(
      'BROKER_URL verify must be verify_peer or verify_none, not maybe',
    );
  });
});

describe('maskUrl', () => {
  it('hides the password and keeps the rest', () => {
    expect(
      maskUrl('amqps://celeriac:s3cr%40t@h:5671//?verify=verify_none'),
    ).toBe('amqps://celeriac:***@h:5671//?verify=verify_none');
  });
});
