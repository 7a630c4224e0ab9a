import type { MonitorQueue } from '../contract/monitor-views';
import type { QueueWatcher } from '../queues/queue-watcher';
import { FlowerMetrics } from './flower-metrics';
import { QueueMetrics } from './queue-metrics';

/** A watcher whose samples the test hands over. */
function fakeWatcher(): {
  watcher: QueueWatcher;
  emit: (queues: MonitorQueue[]) => void;
} {
  const listeners: ((queues: MonitorQueue[]) => void)[] = [];
  const watcher = {
    onSample: (listener: (queues: MonitorQueue[]) => void) => {
      listeners.push(listener);
      return () => undefined;
    },
  } as unknown as QueueWatcher;
  return {
    watcher,
    emit: (queues) => listeners.forEach((listener) => listener(queues)),
  };
}

const queue = (
  name: string,
  messages: number,
  consumers: number,
): MonitorQueue => ({
  name,
  messages,
  consumers,
  publishRate: null,
  deliverRate: null,
});

describe(QueueMetrics.name, () => {
  let flower: FlowerMetrics;
  let emit: (queues: MonitorQueue[]) => void;

  beforeEach(() => {
    flower = new FlowerMetrics();
    const fake = fakeWatcher();
    emit = fake.emit;
    new QueueMetrics(flower, fake.watcher).onApplicationBootstrap();
  });

  const series = async (name: string) =>
    (await flower.registry.getSingleMetric(name)?.get())?.values.map(
      ({ labels, value }) => ({ queue: labels.queue, value }),
    );

  it('exports the depth and consumers of each sampled queue as gauges', async () => {
    emit([queue('default-sum', 7, 2), queue('celeriac.dead-letter', 1, 0)]);

    expect(await series('celeriac_queue_messages_ready')).toEqual([
      { queue: 'default-sum', value: 7 },
      { queue: 'celeriac.dead-letter', value: 1 },
    ]);
    expect(await series('celeriac_queue_consumers')).toEqual([
      { queue: 'default-sum', value: 2 },
      { queue: 'celeriac.dead-letter', value: 0 },
    ]);
  });

  it('drops the series of a queue the last sample did not see', async () => {
    emit([queue('a', 1, 1), queue('b', 2, 1)]);
    emit([queue('b', 3, 1)]);

    expect(await series('celeriac_queue_messages_ready')).toEqual([
      { queue: 'b', value: 3 },
    ]);
    expect(await series('celeriac_queue_consumers')).toEqual([
      { queue: 'b', value: 1 },
    ]);
  });

  it('is in the text the monitor serves on /metrics, typed and documented', async () => {
    emit([queue('default-sum', 4, 1)]);

    const text = await flower.text();
    expect(text).toContain('# TYPE celeriac_queue_messages_ready gauge');
    expect(text).toContain('# HELP celeriac_queue_consumers Consumers');
    expect(text).toContain(
      'celeriac_queue_messages_ready{queue="default-sum"} 4',
    );
  });
});
