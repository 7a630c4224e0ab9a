import {
  reconnectOnReadOnly,
  redisConnectionOptions,
} from './redis-connection-options';

describe('redisConnectionOptions', () => {
  it('reads host, port, credentials and db from a redis:// URL', () => {
    expect(
      redisConnectionOptions({ url: 'redis://user:p%40ss@cache:6380/3' }),
    ).toEqual({
      host: 'cache',
      port: 6380,
      username: 'user',
      password: 'p@ss',
      db: 3,
    });
  });

  it("reads Celery's sentinel list: every sentinel, the first URL's password and db", () => {
    const options = redisConnectionOptions({
      url: 'sentinel://:s3cret@h1:26379/2;sentinel://h2:26380;sentinel://h3',
      sentinelMaster: 'results',
      sentinelPassword: 'sentinel-pw',
    });
    expect(options).toMatchObject({
      sentinels: [
        { host: 'h1', port: 26379 },
        { host: 'h2', port: 26380 },
        { host: 'h3', port: 26379 },
      ],
      name: 'results',
      sentinelPassword: 'sentinel-pw',
      password: 's3cret',
      db: 2,
    });
    expect(options.host).toBeUndefined();
  });

  it('names the master mymaster by default', () => {
    expect(
      redisConnectionOptions({ url: 'sentinel://127.0.0.1:26379/0' }).name,
    ).toBe('mymaster');
  });

  it.each([
    ['redis://h/x', /db index/],
    ['sentinel://h1:26379;redis://h2:6379', /must use sentinel:\/\//],
    ['sentinel://h1:26379/0?ssl_cert_reqs=none', /TLS parameters/],
    ['memcached://h', /must use redis:\/\/ or rediss:\/\//],
  ])('refuses %s', (url, message) => {
    expect(() => redisConnectionOptions({ url })).toThrow(message);
  });

  it('reconnects and resends on READONLY (a demoted master), not on other errors', () => {
    expect(
      reconnectOnReadOnly(
        new Error("READONLY You can't write against a read only replica."),
      ),
    ).toBe(2);
    expect(reconnectOnReadOnly(new Error('ERR unknown command'))).toBe(false);
  });
});
