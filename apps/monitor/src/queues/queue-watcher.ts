import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import type { Channel } from 'amqplib';
import { CeleryClient, DEAD_LETTER_QUEUE } from '@celeriac/broker';
import { CeleriacConfig } from '@celeriac/config';
import type { MonitorQueue } from '../contract/monitor-views';
import { monitorConnection } from '../events/monitor-broker';
import { EventsState } from '../state/events-state';
import { WorkerInspector } from '../workers/worker-inspector';

/** How often queues are sampled (the SSE `queues` event follows). */
export const QUEUE_SAMPLE_INTERVAL_MS = 2_000;

interface Sample {
  at: number;
  messages: number;
  consumers: number;
  /** task-received events counted for this queue so far. */
  delivered: number;
}

/**
 * Samples the depth and consumers of the watched queues with a passive
 * declare (`checkQueue`), every 2 s. Watched: the queues the workers report
 * in `active_queues`, TASK_DEFAULT_QUEUE, `celery`, the dead-letter queue
 * (so an alert sees messages that can never run) and MONITOR_QUEUES.
 *
 * Rates are estimated without the management plugin: deliveries are the
 * `task-received` events of workers whose only queue it is (per their
 * `active_queues`), and publishes = deliveries + the depth's change.
 */
@Injectable()
export class QueueWatcher
  implements OnApplicationBootstrap, OnApplicationShutdown
{
  private readonly logger = new Logger(QueueWatcher.name);
  private readonly previous = new Map<string, Sample>();
  private readonly delivered = new Map<string, number>();
  private views: MonitorQueue[] = [];
  private readonly listeners = new Set<(queues: MonitorQueue[]) => void>();
  private channel?: Channel;
  private timer?: NodeJS.Timeout;
  private sampling?: Promise<MonitorQueue[]>;

  constructor(
    private readonly client: CeleryClient,
    private readonly inspector: WorkerInspector,
    private readonly state: EventsState,
    @Inject(CeleriacConfig) private readonly config: CeleriacConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.state.onTask((_task, event) => {
      if (event?.type !== 'task-received') {
        return;
      }
      const queues = this.inspector.workers.get(event.hostname)?.active_queues;
      if (Array.isArray(queues) && queues.length === 1) {
        const name = (queues[0] as { name?: unknown } | null)?.name;
        if (typeof name === 'string') {
          this.delivered.set(name, (this.delivered.get(name) ?? 0) + 1);
        }
      }
    });
    this.timer = setInterval(
      () => void this.sample(),
      QUEUE_SAMPLE_INTERVAL_MS,
    );
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    const channel = this.channel;
    this.channel = undefined;
    await channel?.close().catch(() => undefined);
  }

  /** The names watched now. */
  watched(): string[] {
    return [
      ...new Set([
        this.config.tasks.defaultQueue,
        'celery',
        DEAD_LETTER_QUEUE,
        ...this.config.monitor.queues,
        ...this.inspector.activeQueueNames(),
      ]),
    ];
  }

  /** The last sample (sampling now if there is none yet). */
  async current(): Promise<MonitorQueue[]> {
    return this.previous.size === 0 ? this.sample() : this.views;
  }

  onSample(listener: (queues: MonitorQueue[]) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Samples every watched queue once; missing queues are left out. */
  sample(): Promise<MonitorQueue[]> {
    this.sampling ??= this.sampleAll().finally(
      () => (this.sampling = undefined),
    );
    return this.sampling;
  }

  private async sampleAll(): Promise<MonitorQueue[]> {
    const views: MonitorQueue[] = [];
    for (const name of this.watched()) {
      const depth = await this.check(name);
      if (!depth) {
        this.previous.delete(name);
        continue;
      }
      const now: Sample = {
        at: Date.now() / 1000,
        ...depth,
        delivered: this.delivered.get(name) ?? 0,
      };
      const before = this.previous.get(name);
      this.previous.set(name, now);
      let publishRate: number | null = null;
      let deliverRate: number | null = null;
      if (before && now.at > before.at) {
        const seconds = now.at - before.at;
        deliverRate = (now.delivered - before.delivered) / seconds;
        publishRate = Math.max(
          0,
          deliverRate + (now.messages - before.messages) / seconds,
        );
      }
      views.push({
        name,
        messages: now.messages,
        consumers: now.consumers,
        publishRate,
        deliverRate,
      });
    }
    this.views = views;
    for (const listener of this.listeners) {
      listener(views);
    }
    return views;
  }

  // A passive declare of a missing queue closes the channel (404): the next
  // check opens a new one.
  private async check(
    queue: string,
  ): Promise<{ messages: number; consumers: number } | null> {
    try {
      const channel = await this.openChannel();
      const { messageCount, consumerCount } = await channel.checkQueue(queue);
      return { messages: messageCount, consumers: consumerCount };
    } catch {
      this.channel = undefined;
      return null;
    }
  }

  private async openChannel(): Promise<Channel> {
    if (this.channel) {
      return this.channel;
    }
    const connection = monitorConnection(this.client).connection;
    if (!connection) {
      throw new Error('not connected to RabbitMQ');
    }
    const channel = await connection.createChannel();
    channel.on('error', () => undefined);
    channel.on('close', () => {
      if (this.channel === channel) {
        this.channel = undefined;
      }
    });
    this.channel = channel;
    return channel;
  }
}
