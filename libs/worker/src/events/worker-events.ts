import { Injectable } from '@nestjs/common';
import type { AmqpConnectionManager } from 'amqp-connection-manager';
import {
  type ConnectionCompanion,
  EventDispatcher,
  LamportClock,
} from '@celeriac/broker';
import { CeleriacConfig } from '@celeriac/config';
import { TaskEvents } from './task-events';

/**
 * Celery's event dispatcher on the worker's connection (§D.1–D.3): once
 * connected, `TaskEvents` sends through it (task events when
 * WORKER_SEND_TASK_EVENTS / `-E`); closed last at shutdown.
 */
@Injectable()
export class WorkerEvents implements ConnectionCompanion {
  private started?: EventDispatcher;

  constructor(
    private readonly events: TaskEvents,
    private readonly clock: LamportClock,
    private readonly config: CeleriacConfig,
  ) {}

  /** The running dispatcher; undefined until connected. */
  get dispatcher(): EventDispatcher | undefined {
    return this.started;
  }

  async start(connection: AmqpConnectionManager): Promise<void> {
    const dispatcher = new EventDispatcher(connection, {
      hostname: this.config.worker.hostname,
      taskEvents: this.config.worker.sendEvents,
      clock: this.clock,
    });
    await dispatcher.start();
    this.started = dispatcher;
    this.events.attach(dispatcher);
  }

  async stop(): Promise<void> {
    await this.started?.close();
  }
}
