import { Injectable, type OnModuleInit } from '@nestjs/common';
import { Counter, Registry } from 'prom-client';
import { CeleryClient } from '@celeriac/broker';

/**
 * beat's Prometheus metrics (README lists them): every task message it
 * publishes (a delayed task come due, a periodic tick) by task name, queue
 * and outcome. A failed publish is retried by BullMQ, so a rising `failed`
 * count means the schedule is late, not lost.
 */
@Injectable()
export class BeatMetrics implements OnModuleInit {
  private readonly publishes: Counter<'task' | 'queue' | 'outcome'>;

  constructor(
    registry: Registry,
    private readonly client: CeleryClient,
  ) {
    this.publishes = new Counter({
      name: 'celeriac_beat_task_publishes_total',
      help: 'Task messages beat published (delayed tasks come due, periodic ticks), by task name, queue and outcome (confirmed by the broker, or failed).',
      labelNames: ['task', 'queue', 'outcome'],
      registers: [registry],
    });
  }

  onModuleInit(): void {
    this.client.observePublishes(({ task, queue, outcome }) =>
      this.publishes.inc({ task, queue, outcome }),
    );
  }
}
