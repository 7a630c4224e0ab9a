import { brokerInfo } from './broker-info';

describe('brokerInfo', () => {
  it("is kombu's Connection.info() without the password", () => {
    // kombu 5.2's info() for the same URL, less `password`.
    expect(brokerInfo('amqp://guest:secret@127.0.0.1:5672//', 10)).toEqual({
      hostname: '127.0.0.1',
      userid: 'guest',
      virtual_host: '/',
      port: 5672,
      insist: false,
      ssl: false,
      transport: 'amqp',
      connect_timeout: 4,
      transport_options: {},
      login_method: 'PLAIN',
      uri_prefix: null,
      heartbeat: 10,
      failover_strategy: 'round-robin',
      alternates: [],
    });
  });

  it('never carries the password', () => {
    expect(
      JSON.stringify(brokerInfo('amqps://u:s3cr3t@rabbit/prod', 10)),
    ).not.toContain('s3cr3t');
  });

  it('reads amqps, a named vhost and the default ports', () => {
    expect(brokerInfo('amqps://u:p@rabbit/my%2Fvhost', 10)).toMatchObject({
      hostname: 'rabbit',
      userid: 'u',
      virtual_host: 'my/vhost',
      port: 5671,
      ssl: true,
    });
  });
});
