import { brokerEndpoints, brokerUrls, maskBrokerUrls } from './broker-urls';
import { nativeDelayRoutingKey } from './native-countdown';
import { deliveryLimitReason } from './delivery-limit';
import { buildTaskMessage } from '../protocol/task-message.builder';
import type { MessageProperties } from 'amqplib';

describe('broker URL lists', () => {
  const list = 'amqp://u:p1@a:5672//; amqp://u:p2@b:5673//;';

  it("splits Celery's ; list, in order", () => {
    expect(brokerUrls(list)).toEqual([
      'amqp://u:p1@a:5672//',
      'amqp://u:p2@b:5673//',
    ]);
  });

  it('gives each broker its amqplib URL and the shared socket options', () => {
    expect(brokerEndpoints(list, { noDelay: true })).toEqual([
      { url: 'amqp://u:p1@a:5672/%2F', connectionOptions: { noDelay: true } },
      { url: 'amqp://u:p2@b:5673/%2F', connectionOptions: { noDelay: true } },
    ]);
  });

  it('masks every password', () => {
    expect(maskBrokerUrls(list)).toBe(
      'amqp://u:***@a:5672//;amqp://u:***@b:5673//',
    );
  });
});

describe('nativeDelayRoutingKey', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');
  const withEta = (eta?: string) =>
    buildTaskMessage({
      task: 't',
      id: 'i',
      args: [],
      eta: eta ? new Date(eta) : undefined,
    });

  it('routes an ETA whole seconds away through the levels', () => {
    expect(
      nativeDelayRoutingKey(withEta('2026-01-01T00:00:05.900Z'), 'q', now),
    ).toBe(`${'0.'.repeat(25)}1.0.1.q`);
  });

  it('publishes straight away without an ETA or under a second away', () => {
    expect(nativeDelayRoutingKey(withEta(), 'q', now)).toBeUndefined();
    expect(
      nativeDelayRoutingKey(withEta('2026-01-01T00:00:00.900Z'), 'q', now),
    ).toBeUndefined();
  });
});

describe('deliveryLimitReason', () => {
  const delivered = (count?: number) =>
    ({
      headers: count === undefined ? {} : { 'x-delivery-count': count },
    }) as MessageProperties;

  it('lets a message run until it has been delivered limit times', () => {
    expect(deliveryLimitReason(delivered(), 3)).toBeUndefined();
    expect(deliveryLimitReason(delivered(2), 3)).toBeUndefined();
    expect(deliveryLimitReason(delivered(3), 3)).toMatch(
      /delivered 4 times, TASK_DELIVERY_LIMIT is 3/,
    );
  });

  it('has no limit at 0', () => {
    expect(deliveryLimitReason(delivered(100), 0)).toBeUndefined();
  });
});
