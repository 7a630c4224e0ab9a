import { Injectable } from '@nestjs/common';
import type { AmqpConnectionManager } from 'amqp-connection-manager';
import {
  type ConnectionCompanion,
  LamportClock,
  PidboxConsumer,
} from '@celeriac/broker';
import { CeleriacConfig } from '@celeriac/config';
import { WorkerControl } from './worker-control';

/**
 * Celery's remote control on the worker's connection: consumes
 * `<hostname>.celery.pidbox` and answers `celery inspect` / `control`
 * through `WorkerControl`. It stops first at shutdown, before the task
 * consumers, as Celery's pidbox does.
 */
@Injectable()
export class WorkerPidbox implements ConnectionCompanion {
  private consumer?: PidboxConsumer;

  constructor(
    private readonly control: WorkerControl,
    private readonly clock: LamportClock,
    private readonly config: CeleriacConfig,
  ) {}

  async start(connection: AmqpConnectionManager): Promise<void> {
    this.consumer = new PidboxConsumer(connection, {
      hostname: this.config.worker.hostname,
      handler: this.control.handle,
      clock: this.clock,
    });
    await this.consumer.start();
  }

  async stopIntake(): Promise<void> {
    await this.consumer?.stop();
  }
}
