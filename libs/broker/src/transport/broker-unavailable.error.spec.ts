import {
  asBrokerUnavailable,
  BrokerUnavailableError,
} from './broker-unavailable.error';

describe(asBrokerUnavailable.name, () => {
  it("names amqp-connection-manager's bare 'timeout' as a missing confirm", () => {
    const timeout = new Error('timeout');
    const error = asBrokerUnavailable(timeout, 2000);
    expect(error).toBeInstanceOf(BrokerUnavailableError);
    expect(error.message).toBe(
      'RabbitMQ is unavailable: no publisher confirm within 2000 ms',
    );
    expect(error.cause).toBe(timeout);
  });

  it('keeps the reason of any other channel failure', () => {
    expect(asBrokerUnavailable(new Error('Channel closed'), 2000).message).toBe(
      'RabbitMQ is unavailable: Channel closed',
    );
  });

  it('passes a BrokerUnavailableError through unchanged', () => {
    const error = new BrokerUnavailableError('not connected');
    expect(asBrokerUnavailable(error, 2000)).toBe(error);
  });
});
