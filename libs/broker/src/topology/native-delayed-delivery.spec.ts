import type { Channel } from 'amqplib';
import {
  bindQueueToDelayedDelivery,
  declareNativeDelayedDelivery,
  delayedRoutingKey,
  levelName,
  undelayedRoutingKey,
} from './native-delayed-delivery';

/** Records what a declaration does, in order. */
function recordingChannel(): { channel: Channel; calls: unknown[][] } {
  const calls: unknown[][] = [];
  const record =
    (name: string) =>
    (...args: unknown[]) => {
      calls.push([name, ...args]);
      return Promise.resolve({});
    };
  const channel = {
    assertExchange: record('exchange'),
    assertQueue: record('queue'),
    bindQueue: record('bindQueue'),
    bindExchange: record('bindExchange'),
  } as unknown as Channel;
  return { channel, calls };
}

describe('delayedRoutingKey', () => {
  it("is kombu's calculate_routing_key: 28 binary digits, then the key", () => {
    // calculate_routing_key(5, 'foo') in kombu 5.5
    expect(delayedRoutingKey(5, 'foo')).toBe(`${'0.'.repeat(25)}1.0.1.foo`);
    expect(delayedRoutingKey(2 ** 27, 'q')).toBe(`1.${'0.'.repeat(27)}q`);
  });

  it('strips a delayed prefix the key already had', () => {
    const once = delayedRoutingKey(3, 'queue.name');
    expect(delayedRoutingKey(6, once)).toBe(delayedRoutingKey(6, 'queue.name'));
    expect(undelayedRoutingKey(once)).toBe('queue.name');
  });

  it.each([0, -1, 1.5, 2 ** 28])('refuses a countdown of %p', (seconds) => {
    expect(() => delayedRoutingKey(seconds, 'q')).toThrow(RangeError);
  });

  it('refuses an empty routing key', () => {
    expect(() => delayedRoutingKey(1, '')).toThrow(RangeError);
  });
});

describe('declareNativeDelayedDelivery', () => {
  it("declares kombu's 28 levels, their bindings and the delivery exchange", async () => {
    const { channel, calls } = recordingChannel();

    await declareNativeDelayedDelivery(channel);

    const queues = calls.filter(([kind]) => kind === 'queue');
    expect(queues).toHaveLength(28);
    expect(queues[0]).toEqual([
      'queue',
      'celery_delayed_27',
      {
        durable: true,
        autoDelete: false,
        exclusive: false,
        arguments: {
          'x-queue-type': 'quorum',
          'x-overflow': 'reject-publish',
          'x-message-ttl': 2 ** 27 * 1000,
          'x-dead-letter-exchange': 'celery_delayed_26',
          'x-dead-letter-strategy': 'at-least-once',
        },
      },
    ]);
    expect(queues[27]).toEqual([
      'queue',
      'celery_delayed_0',
      expect.objectContaining({
        arguments: expect.objectContaining({
          'x-message-ttl': 1000,
          'x-dead-letter-exchange': 'celery_delayed_delivery',
        }) as unknown,
      }),
    ]);
    const waits = calls.filter(([kind]) => kind === 'bindQueue');
    expect(waits[0]).toEqual([
      'bindQueue',
      'celery_delayed_27',
      'celery_delayed_27',
      '1.#',
    ]);
    expect(waits[27]).toEqual([
      'bindQueue',
      'celery_delayed_0',
      'celery_delayed_0',
      `${'*.'.repeat(27)}1.#`,
    ]);
    const passes = calls.filter(([kind]) => kind === 'bindExchange');
    expect(passes).toHaveLength(28);
    expect(passes[0]).toEqual([
      'bindExchange',
      'celery_delayed_26',
      'celery_delayed_27',
      '0.#',
    ]);
    expect(passes[27]).toEqual([
      'bindExchange',
      'celery_delayed_delivery',
      'celery_delayed_0',
      `${'*.'.repeat(27)}0.#`,
    ]);
    expect(calls).toContainEqual([
      'exchange',
      'celery_delayed_delivery',
      'topic',
      { durable: true, autoDelete: false },
    ]);
  });

  it('declares classic level queues without the quorum-only strategy', async () => {
    const { channel, calls } = recordingChannel();

    await declareNativeDelayedDelivery(channel, 'classic');

    const [, , options] = calls.find(([kind]) => kind === 'queue') as [
      string,
      string,
      { arguments: Record<string, unknown> },
    ];
    expect(options.arguments['x-queue-type']).toBe('classic');
    expect(options.arguments).not.toHaveProperty('x-dead-letter-strategy');
  });

  it('binds a queue to the delivery exchange by its routing key', async () => {
    const { channel, calls } = recordingChannel();

    await bindQueueToDelayedDelivery(channel, 'default-sum');

    expect(calls).toEqual([
      ['bindQueue', 'default-sum', 'celery_delayed_delivery', '#.default-sum'],
    ]);
  });

  it('names levels as kombu does', () => {
    expect(levelName(0)).toBe('celery_delayed_0');
    expect(() => levelName(-1)).toThrow(RangeError);
  });
});
