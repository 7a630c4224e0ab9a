import { Registry } from 'prom-client';
import type { CeleryClient, TaskPublished } from '@celeriac/broker';
import { BeatMetrics } from './beat-metrics';

describe(BeatMetrics.name, () => {
  it('counts the publishes the client reports, by task, queue and outcome', async () => {
    const observers: ((event: TaskPublished) => void)[] = [];
    const client = {
      observePublishes: (observer: (event: TaskPublished) => void) =>
        observers.push(observer),
    } as unknown as CeleryClient;
    const registry = new Registry();
    new BeatMetrics(registry, client).onModuleInit();

    const publish = (outcome: TaskPublished['outcome']) =>
      observers.forEach((observe) =>
        observe({ task: 'add_task', queue: 'q', outcome, seconds: 0.01 }),
      );
    publish('confirmed');
    publish('confirmed');
    publish('failed');

    const metric = await registry
      .getSingleMetric('celeriac_beat_task_publishes_total')
      ?.get();
    expect(metric?.type).toBe('counter');
    expect(metric?.values).toEqual([
      {
        labels: { task: 'add_task', queue: 'q', outcome: 'confirmed' },
        value: 2,
      },
      {
        labels: { task: 'add_task', queue: 'q', outcome: 'failed' },
        value: 1,
      },
    ]);
  });
});
