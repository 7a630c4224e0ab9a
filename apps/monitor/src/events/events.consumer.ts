import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import {
  type CeleryEvent,
  CeleryClient,
  ControlClient,
  EventReceiver,
} from '@celeriac/broker';
import { CeleriacConfig } from '@celeriac/config';
import { FlowerMetrics } from '../metrics/flower-metrics';
import { EventsState } from '../state/events-state';
import { ThroughputStats } from '../stats/throughput-stats';
import { monitorConnection } from './monitor-broker';

/** Flower's `events_enable_interval`. */
const ENABLE_EVENTS_INTERVAL_MS = 5_000;

/**
 * Consumes `celeryev` as Flower does and feeds the state, the metrics and
 * the throughput. At start it asks every worker for a heartbeat (Celery's
 * `EventReceiver.wakeup_workers`) and, unless MONITOR_ENABLE_EVENTS is
 * false, broadcasts `enable_events` every 5 s, as Flower does, so workers
 * started without `-E` send task events too.
 */
@Injectable()
export class EventsConsumer
  implements OnApplicationBootstrap, OnApplicationShutdown
{
  private readonly logger = new Logger(EventsConsumer.name);
  private receiver?: EventReceiver;
  private timer?: NodeJS.Timeout;
  /** Resolves once the event queue is consumed. */
  ready: Promise<void> = Promise.resolve();

  constructor(
    private readonly client: CeleryClient,
    private readonly control: ControlClient,
    private readonly state: EventsState,
    private readonly metrics: FlowerMetrics,
    private readonly stats: ThroughputStats,
    @Inject(CeleriacConfig) private readonly config: CeleriacConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.receiver = new EventReceiver(monitorConnection(this.client), {
      handler: (event) => this.onEvent(event),
    });
    // Not awaited: the monitor starts (and reports not ready) while RabbitMQ is down.
    this.ready = this.receiver.start().then(async () => {
      this.logger.log({ msg: 'consuming events', queue: this.receiver?.queue });
      await this.control.broadcast('heartbeat');
    });
    this.ready.catch((error: unknown) =>
      this.logger.warn({ msg: 'event receiver failed', err: String(error) }),
    );
    if (this.config.monitor.enableEvents) {
      const enable = () =>
        void this.control.broadcast('enable_events').catch(() => undefined);
      enable();
      this.timer = setInterval(enable, ENABLE_EVENTS_INTERVAL_MS);
      this.timer.unref();
    }
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.receiver?.stop();
    await this.control.stop();
  }

  private onEvent(event: CeleryEvent): void {
    this.state.event(event);
    if (event.type.startsWith('worker-')) {
      this.metrics.onWorkerEvent(event);
      return;
    }
    if (event.type.startsWith('task-') && typeof event.uuid === 'string') {
      const task = this.state.task(event.uuid);
      if (task) {
        this.metrics.onTaskEvent(task, event);
      }
      this.stats.record(event.type, event.timestamp, event.runtime);
    }
  }
}
