import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { Gauge } from 'prom-client';
import type { MonitorQueue } from '../contract/monitor-views';
import { QueueWatcher } from '../queues/queue-watcher';
import { FlowerMetrics } from './flower-metrics';

/**
 * The depth and consumers of every watched queue (the dead-letter queue
 * included) as Prometheus gauges, from the watcher's 2 s samples, so alerts
 * need neither the management plugin nor a RabbitMQ exporter. A queue the
 * last sample could not see (deleted, broker down) has no series, rather
 * than a stale value.
 */
@Injectable()
export class QueueMetrics implements OnApplicationBootstrap {
  private readonly messages: Gauge<'queue'>;
  private readonly consumers: Gauge<'queue'>;

  constructor(
    metrics: FlowerMetrics,
    private readonly watcher: QueueWatcher,
  ) {
    const registers = [metrics.registry];
    this.messages = new Gauge({
      name: 'celeriac_queue_messages_ready',
      help: 'Messages ready for delivery in the queue (not yet delivered to a consumer), sampled by the monitor every 2 s.',
      labelNames: ['queue'],
      registers,
    });
    this.consumers = new Gauge({
      name: 'celeriac_queue_consumers',
      help: 'Consumers of the queue (a celeriac or Celery worker has one per queue it consumes), sampled by the monitor every 2 s.',
      labelNames: ['queue'],
      registers,
    });
  }

  onApplicationBootstrap(): void {
    this.watcher.onSample((queues) => this.record(queues));
  }

  /** Replaces the gauges' series with one sample of the queues. */
  record(queues: readonly MonitorQueue[]): void {
    this.messages.reset();
    this.consumers.reset();
    for (const { name, messages, consumers } of queues) {
      this.messages.set({ queue: name }, messages);
      this.consumers.set({ queue: name }, consumers);
    }
  }
}
